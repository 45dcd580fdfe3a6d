import type { Language } from '@pairpad/shared';

/** A block-opener template; `body` uses `\n` for lines and `\t` for one indentation step. */
export interface Snippet {
  /** The keyword the user types to reach it (`for`). */
  trigger: string;
  /** Shown in the list (`for … of`). */
  label: string;
  /** The full text replacing the typed trigger prefix, from the trigger's first character. */
  body: string;
}

/** What the engine knows about one language: lexing rules and vocabulary. */
export interface LanguageSpec {
  /** Characters besides ASCII letters, digits and `_` that belong inside a word. */
  wordExtras: string;
  /** Characters besides ASCII letters and `_` that may start a word. */
  wordStartExtras: string;
  lineComments: readonly string[];
  blockComments: readonly (readonly [string, string])[];
  /** String delimiters; each string closes on the same character. */
  quotes: string;
  /** Python's `"""`/`'''` strings. */
  tripleQuotes: boolean;
  /** Backslash escapes inside strings (false for SQL, which doubles quotes instead). */
  backslashEscapes: boolean;
  /** Strings that may span lines (JS template literals, Go raw strings). */
  multilineQuotes: string;
  /** `/re/` literals exist (JS/TS); the lexer must not read them as comments or strings. */
  regexLiterals: boolean;
  /** Rust: `'a` is a lifetime, not an unterminated character literal. */
  lifetimes: boolean;
  /** SQL keywords and names ignore case; completions follow the case the user typed. */
  caseInsensitive: boolean;
  /** HTML: quotes only delimit strings inside a tag; in text they are apostrophes. */
  tagQuotes: boolean;
  /** Prose (plaintext, markdown): only long document words are worth completing. */
  prose: boolean;
  /** Rough frequency order matters: earlier entries get a higher prior. */
  keywords: readonly string[];
  builtins: readonly string[];
  /** Members often seen after any `.`. */
  members: readonly string[];
  /** Members seen after a particular receiver (`console` -> `log`). */
  receiverMembers: Readonly<Record<string, readonly string[]>>;
  modules: readonly string[];
  /** Tokens after which a module name is expected. */
  importWords: readonly string[];
  /** Tokens after which a brand-new name is coming, so nothing from the document fits. */
  declarators: readonly string[];
  snippets: readonly Snippet[];
  /** One indentation step when the document gives no hint. */
  indentUnit: string;
}

const base: LanguageSpec = {
  wordExtras: '',
  wordStartExtras: '',
  lineComments: [],
  blockComments: [],
  quotes: '',
  tripleQuotes: false,
  backslashEscapes: true,
  multilineQuotes: '',
  regexLiterals: false,
  lifetimes: false,
  caseInsensitive: false,
  tagQuotes: false,
  prose: false,
  keywords: [],
  builtins: [],
  members: [],
  receiverMembers: {},
  modules: [],
  importWords: [],
  declarators: [],
  snippets: [],
  indentUnit: '  ',
};

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const jsKeywords = words(`
  const return if this function import from export await async else new true false null undefined
  let for of in typeof throw try catch finally while case break switch default continue class extends
  instanceof void delete yield do static get set super var debugger with`);

const jsBuiltins = words(`
  console Object Array String Number Boolean Promise Error TypeError RangeError Map Set WeakMap WeakSet
  JSON Math Date RegExp Symbol BigInt Reflect Proxy Intl globalThis require module exports process
  Buffer setTimeout clearTimeout setInterval clearInterval setImmediate queueMicrotask structuredClone
  parseInt parseFloat isNaN isFinite encodeURIComponent decodeURIComponent fetch URL URLSearchParams
  AbortController AbortSignal TextEncoder TextDecoder Uint8Array ArrayBuffer DataView Infinity NaN`);

const jsMembers = words(`
  length push map filter forEach then catch finally join split slice indexOf includes replace trim
  toString keys values entries reduce find findIndex some every concat sort reverse pop shift unshift
  splice startsWith endsWith toLowerCase toUpperCase charCodeAt charAt substring padStart padEnd
  apply call bind prototype constructor hasOwnProperty assign freeze create resolve reject all
  allSettled race get set has delete clear size add emit on once off send write end close destroy
  message stack name code data value type id options parse stringify log error warn info debug`);

const jsReceivers: Record<string, readonly string[]> = {
  console: words('log error warn info debug trace table time timeEnd dir assert'),
  Object: words('keys values entries assign freeze create defineProperty getPrototypeOf setPrototypeOf fromEntries getOwnPropertyNames hasOwn is'),
  Array: words('isArray from of prototype'),
  JSON: words('stringify parse'),
  Math: words('floor max min round ceil abs random pow sqrt trunc sign log PI'),
  Promise: words('resolve reject all allSettled race any withResolvers'),
  Number: words('isInteger isFinite isNaN parseInt parseFloat isSafeInteger MAX_SAFE_INTEGER'),
  String: words('fromCharCode fromCodePoint raw'),
  Symbol: words('iterator asyncIterator for hasInstance toStringTag'),
  process: words('env argv exit cwd nextTick platform on stdout stderr pid hrtime exitCode'),
  Date: words('now parse UTC'),
  Buffer: words('from alloc isBuffer concat byteLength allocUnsafe'),
  Reflect: words('ownKeys get set has apply construct defineProperty getPrototypeOf'),
};

const nodeModules = words(`
  node:fs node:path node:http node:https node:os node:crypto node:url node:util node:events node:stream
  node:child_process node:assert node:buffer node:net node:zlib node:worker_threads node:timers
  node:fs/promises node:readline node:test fs path http https os crypto url util events stream
  child_process assert buffer net zlib react react-dom vitest`);

const jsSnippets = (ts: boolean): Snippet[] => [
  { trigger: 'if', label: 'if (…) {…}', body: 'if () {\n\t\n}' },
  { trigger: 'for', label: 'for (… of …) {…}', body: `for (const item of ${ts ? 'items' : 'items'}) {\n\t\n}` },
  { trigger: 'while', label: 'while (…) {…}', body: 'while () {\n\t\n}' },
  { trigger: 'function', label: 'function …() {…}', body: 'function name() {\n\t\n}' },
  { trigger: 'try', label: 'try {…} catch {…}', body: 'try {\n\t\n} catch (err) {\n\t\n}' },
  { trigger: 'switch', label: 'switch (…) {…}', body: 'switch () {\n\tcase :\n\t\tbreak;\n}' },
  { trigger: 'class', label: 'class … {…}', body: 'class Name {\n\tconstructor() {\n\t\t\n\t}\n}' },
];

const javascript: LanguageSpec = {
  ...base,
  wordExtras: '$',
  wordStartExtras: '$',
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: `"'\``,
  multilineQuotes: '`',
  regexLiterals: true,
  keywords: jsKeywords,
  builtins: jsBuiltins,
  members: jsMembers,
  receiverMembers: jsReceivers,
  modules: nodeModules,
  importWords: ['from', 'require', 'import'],
  declarators: ['function', 'class'],
  snippets: jsSnippets(false),
};

const typescript: LanguageSpec = {
  ...javascript,
  keywords: [
    ...jsKeywords,
    ...words(`type interface readonly string number boolean unknown never any as implements private public
      protected enum keyof infer is satisfies declare namespace abstract override asserts`),
  ],
  builtins: [...jsBuiltins, ...words('Record Partial Required Readonly Pick Omit ReturnType Parameters Awaited NonNullable Exclude Extract')],
  declarators: ['function', 'class', 'interface', 'enum', 'namespace'],
  snippets: [
    ...jsSnippets(true),
    { trigger: 'interface', label: 'interface … {…}', body: 'interface Name {\n\t\n}' },
  ],
};

const python: LanguageSpec = {
  ...base,
  lineComments: ['#'],
  quotes: `"'`,
  tripleQuotes: true,
  keywords: words(`
    self return if def None import in for not is from else and True False elif raise try except with as
    class or while pass break continue yield lambda finally assert global nonlocal del async await match case`),
  builtins: words(`
    len isinstance str int print range list dict set tuple getattr hasattr setattr super type open
    ValueError TypeError KeyError IndexError AttributeError RuntimeError NotImplementedError OSError
    Exception StopIteration enumerate zip sorted min max sum any all abs bool float bytes repr format
    iter next map filter object property staticmethod classmethod callable id hash hex ord chr
    reversed round vars dir isinstance issubclass frozenset bytearray memoryview divmod pow input`),
  members: words(`
    append join split get items keys values format startswith endswith strip replace lower upper
    extend pop update add remove insert encode decode read write close find index count sort copy
    group match sub setdefault rstrip lstrip splitlines partition rpartition isdigit isalpha`),
  receiverMembers: {
    self: words('assertEqual assertTrue assertRaises assertFalse assertIn assertIsNone assertIs assertNotEqual assertIsInstance assertRaisesRegex'),
    os: words('path environ getcwd listdir makedirs remove rename sep fspath getenv walk stat'),
    'os.path': words('join exists dirname basename abspath isdir isfile splitext normpath expanduser'),
    sys: words('argv exit path stdout stderr stdin platform version_info modules maxsize'),
    re: words('compile match search sub findall finditer split escape fullmatch IGNORECASE MULTILINE VERBOSE'),
    json: words('dumps loads dump load'),
    time: words('time sleep monotonic perf_counter strftime'),
  },
  modules: words(`
    os sys re json time typing collections functools itertools pathlib subprocess unittest logging
    datetime math random dataclasses abc io string struct threading asyncio contextlib tempfile shutil
    argparse copy enum warnings textwrap socket types weakref operator inspect traceback hashlib
    base64 pickle csv glob heapq bisect decimal fractions statistics uuid urllib http email`),
  importWords: ['import', 'from'],
  declarators: ['def', 'class'],
  snippets: [
    { trigger: 'if', label: 'if …:', body: 'if condition:\n\tpass' },
    { trigger: 'for', label: 'for … in …:', body: 'for item in items:\n\tpass' },
    { trigger: 'while', label: 'while …:', body: 'while condition:\n\tpass' },
    { trigger: 'def', label: 'def …():', body: 'def name():\n\tpass' },
    { trigger: 'class', label: 'class …:', body: 'class Name:\n\tdef __init__(self):\n\t\tpass' },
    { trigger: 'try', label: 'try: … except:', body: 'try:\n\tpass\nexcept Exception as exc:\n\traise' },
    { trigger: 'with', label: 'with … as …:', body: 'with open(path) as f:\n\tpass' },
  ],
  indentUnit: '    ',
};

const cFamilyKeywords = words(`
  return if else for while do switch case break continue default goto sizeof struct union enum
  typedef static const extern void int char unsigned signed long short float double volatile
  register inline restrict`);

const cSnippets: Snippet[] = [
  { trigger: 'if', label: 'if (…) {…}', body: 'if () {\n\t\n}' },
  { trigger: 'for', label: 'for (…; …; …) {…}', body: 'for (int i = 0; i < n; i++) {\n\t\n}' },
  { trigger: 'while', label: 'while (…) {…}', body: 'while () {\n\t\n}' },
  { trigger: 'switch', label: 'switch (…) {…}', body: 'switch () {\n\tcase :\n\t\tbreak;\n}' },
];

const c: LanguageSpec = {
  ...base,
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: `"'`,
  keywords: [...cFamilyKeywords, ...words('NULL bool true false size_t')],
  builtins: words(`
    printf fprintf sprintf snprintf malloc calloc realloc free memcpy memset memcmp strlen strcmp
    strncmp strcpy strncpy strcat strchr strdup fopen fclose fread fwrite fgets fputs puts exit abort
    assert stdin stdout stderr errno uint8_t uint16_t uint32_t uint64_t int32_t int64_t`),
  members: words('data size len next prev count name value type flags'),
  modules: words('stdio.h stdlib.h string.h stdint.h stdbool.h stddef.h assert.h errno.h math.h unistd.h'),
  importWords: ['include'],
  declarators: ['struct', 'enum', 'union'],
  snippets: cSnippets,
  indentUnit: '    ',
};

const cpp: LanguageSpec = {
  ...c,
  keywords: [
    ...cFamilyKeywords,
    ...words(`auto nullptr true false bool class public private protected virtual override template
      typename namespace using this new delete const_cast static_cast dynamic_cast reinterpret_cast
      constexpr noexcept try catch throw operator friend explicit mutable final decltype`),
  ],
  builtins: words(`std string vector map unordered_map set unique_ptr shared_ptr make_unique make_shared
    cout cerr endl size_t move forward optional variant pair tuple array function`),
  members: words(`size push_back emplace_back begin end empty clear insert erase find at data c_str
    front back reserve resize count first second get reset substr`),
  receiverMembers: { std: words('string vector move make_unique unique_ptr shared_ptr map cout endl size_t optional') },
  modules: words('iostream vector string map memory algorithm unordered_map functional utility cstdint cstdio'),
  declarators: ['class', 'struct', 'enum', 'union', 'namespace'],
  snippets: [...cSnippets, { trigger: 'class', label: 'class … {…};', body: 'class Name {\npublic:\n\tName();\n};' }],
};

const java: LanguageSpec = {
  ...base,
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: `"'`,
  keywords: words(`
    return public private final static new if this import void else null true false int class throw
    boolean for try catch String extends implements protected while case break super instanceof
    interface package throws long double char byte short float switch default continue finally do
    abstract synchronized volatile transient native enum var record assert`),
  builtins: words(`
    String Object Integer Long Double Boolean List Map Set HashMap ArrayList HashSet Optional System
    Math Arrays Collections Exception RuntimeException IllegalArgumentException IllegalStateException
    StringBuilder Override Test Thread Iterator Stream Collectors`),
  members: words(`get size add put equals toString length isEmpty contains remove append hashCode
    getName stream map filter collect forEach of println format valueOf charAt substring`),
  receiverMembers: {
    System: words('out err in currentTimeMillis nanoTime exit arraycopy getProperty lineSeparator'),
    out: words('println print printf flush'),
    Math: words('max min abs floor ceil round sqrt pow random'),
    Collections: words('emptyList unmodifiableList sort singletonList emptyMap reverse'),
    Arrays: words('asList sort fill copyOf stream toString equals'),
  },
  modules: words('java.util java.io java.util.List java.util.Map java.util.ArrayList java.util.HashMap'),
  importWords: ['import'],
  declarators: ['class', 'interface', 'enum', 'record'],
  snippets: [
    { trigger: 'if', label: 'if (…) {…}', body: 'if () {\n\t\n}' },
    { trigger: 'for', label: 'for (… : …) {…}', body: 'for (var item : items) {\n\t\n}' },
    { trigger: 'while', label: 'while (…) {…}', body: 'while () {\n\t\n}' },
    { trigger: 'try', label: 'try {…} catch {…}', body: 'try {\n\t\n} catch (Exception e) {\n\t\n}' },
    { trigger: 'public', label: 'public class … {…}', body: 'public class Name {\n\t\n}' },
  ],
  indentUnit: '    ',
};

const go: LanguageSpec = {
  ...base,
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: `"'\``,
  multilineQuotes: '`',
  keywords: words(`
    err return if nil func for range package import var type struct string int error else true false
    const case switch default break continue go defer select chan map interface fallthrough goto`),
  builtins: words(`
    len make append cap copy delete panic recover new print println close byte rune bool float64
    int64 int32 uint uint8 uint32 uint64 any comparable complex real imag min max clear`),
  members: words(`Error String Println Printf Sprintf Errorf Len Close Write Read Lock Unlock Done Add Wait`),
  receiverMembers: {
    fmt: words('Println Printf Sprintf Errorf Fprintf Sprint Print Fprintln Sscanf'),
    errors: words('New Is As Unwrap Join'),
    strings: words('Split Join Contains HasPrefix HasSuffix TrimSpace Replace ToLower ToUpper Builder Fields Index'),
    os: words('Exit Getenv Open Create ReadFile WriteFile Args Stdout Stderr Remove MkdirAll'),
    http: words('HandleFunc ListenAndServe Request ResponseWriter Get StatusOK NewRequest Client Server'),
    context: words('Background WithCancel WithTimeout Context TODO WithValue'),
    time: words('Now Second Millisecond Duration Since Sleep After NewTimer Minute'),
  },
  modules: words('fmt errors strings os io net/http context time sync strconv bytes sort encoding/json log testing path/filepath bufio'),
  importWords: ['import'],
  declarators: ['func', 'type'],
  snippets: [
    { trigger: 'if', label: 'if … {…}', body: 'if  {\n\t\n}' },
    { trigger: 'for', label: 'for … := range … {…}', body: 'for _, item := range items {\n\t\n}' },
    { trigger: 'func', label: 'func …() {…}', body: 'func name() {\n\t\n}' },
    { trigger: 'switch', label: 'switch … {…}', body: 'switch  {\ncase :\n}' },
  ],
  indentUnit: '\t',
};

const rust: LanguageSpec = {
  ...base,
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: `"'`,
  multilineQuotes: '"',
  lifetimes: true,
  keywords: words(`
    self let fn mut pub use impl return if match Self for struct else Some None Ok Err true false crate
    mod enum trait where as in ref const static loop while break continue move unsafe async await dyn
    type super extern`),
  builtins: words(`
    String Vec Option Result Box Rc Arc HashMap HashSet BTreeMap println format vec assert assert_eq
    panic unwrap expect clone to_string into iter collect len push is_empty Default Debug Clone
    Display From Into usize u8 u16 u32 u64 i32 i64 f64 bool str char`),
  members: words(`unwrap clone iter map collect len push into to_string as_ref is_some is_none expect
    ok_or get insert contains_key and_then unwrap_or filter as_str borrow lock`),
  receiverMembers: {
    std: words('collections io fmt sync fs path env thread time'),
    Vec: words('new with_capacity'),
    String: words('new from with_capacity'),
    HashMap: words('new with_capacity'),
  },
  modules: words('std std::collections std::io std::fmt std::sync serde tokio anyhow'),
  importWords: ['use'],
  declarators: ['fn', 'struct', 'enum', 'trait', 'mod', 'type'],
  snippets: [
    { trigger: 'if', label: 'if … {…}', body: 'if  {\n\t\n}' },
    { trigger: 'for', label: 'for … in … {…}', body: 'for item in items {\n\t\n}' },
    { trigger: 'match', label: 'match … {…}', body: 'match  {\n\t_ => {}\n}' },
    { trigger: 'fn', label: 'fn …() {…}', body: 'fn name() {\n\t\n}' },
    { trigger: 'impl', label: 'impl … {…}', body: 'impl Name {\n\t\n}' },
  ],
  indentUnit: '    ',
};

const sql: LanguageSpec = {
  ...base,
  lineComments: ['--'],
  blockComments: [['/*', '*/']],
  quotes: `'`,
  backslashEscapes: false,
  multilineQuotes: `'`,
  caseInsensitive: true,
  keywords: words(`
    SELECT FROM WHERE AND OR NOT NULL INSERT INTO VALUES UPDATE SET DELETE CREATE TABLE INDEX DROP
    ALTER ADD COLUMN PRIMARY KEY FOREIGN REFERENCES JOIN LEFT RIGHT INNER OUTER ON AS ORDER BY GROUP
    HAVING LIMIT OFFSET DISTINCT UNION ALL EXISTS IN IS LIKE BETWEEN CASE WHEN THEN ELSE END DEFAULT
    UNIQUE CONSTRAINT CHECK RETURNING WITH BEGIN COMMIT ROLLBACK TRANSACTION INTEGER TEXT VARCHAR
    BOOLEAN TIMESTAMP SERIAL BIGINT DESC ASC CASCADE IF VIEW TRIGGER`),
  builtins: words('COUNT SUM AVG MIN MAX COALESCE NOW CAST LOWER UPPER LENGTH SUBSTRING ROUND CURRENT_TIMESTAMP NULLIF'),
  declarators: ['TABLE', 'VIEW', 'INDEX'],
  snippets: [
    { trigger: 'select', label: 'SELECT … FROM …', body: 'SELECT *\nFROM table\nWHERE ;' },
    { trigger: 'insert', label: 'INSERT INTO … VALUES …', body: 'INSERT INTO table ()\nVALUES ();' },
    { trigger: 'create', label: 'CREATE TABLE …', body: 'CREATE TABLE name (\n\tid SERIAL PRIMARY KEY\n);' },
  ],
};

// JSON keys and values are strings that repeat, so its quotes are read as punctuation
// and what is inside them is completed like code.
const json: LanguageSpec = {
  ...base,
  keywords: words('true false null'),
};

const markdown: LanguageSpec = { ...base, prose: true };
const plaintext: LanguageSpec = { ...base, prose: true };

const html: LanguageSpec = {
  ...base,
  wordExtras: '-',
  blockComments: [['<!--', '-->']],
  quotes: `"'`,
  tagQuotes: true,
  backslashEscapes: false,
  multilineQuotes: `"'`,
  keywords: words(`
    div span class href src id type name value input button form label a p ul li ol img script style
    link meta head body html title table tr td th section header footer nav main article h1 h2 h3
    rel content charset alt placeholder disabled width height lang`),
  snippets: [{ trigger: 'html', label: '<!doctype html> skeleton', body: 'html>\n<html lang="en">\n<head>\n\t<meta charset="utf-8">\n\t<title></title>\n</head>\n<body>\n\t\n</body>\n</html>' }],
};

const css: LanguageSpec = {
  ...base,
  wordExtras: '-',
  blockComments: [['/*', '*/']],
  quotes: `"'`,
  keywords: words(`
    color background display margin padding border width height font-size position flex none auto
    solid px em rem important relative absolute fixed block inline-block grid center top left right
    bottom font-weight font-family background-color border-radius align-items justify-content
    text-align line-height cursor pointer opacity overflow hidden transition transform z-index
    box-shadow max-width min-width gap flex-direction inherit transparent var`),
  snippets: [{ trigger: 'media', label: '@media (…) {…}', body: 'media (max-width: 600px) {\n\t\n}' }],
};

/** Per-language rules; every contract language has an entry. */
export const LANGUAGE_SPECS: Readonly<Record<Language, LanguageSpec>> = {
  plaintext,
  javascript,
  typescript,
  python,
  java,
  go,
  c,
  cpp,
  rust,
  sql,
  json,
  markdown,
  html,
  css,
};
