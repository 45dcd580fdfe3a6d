import { repoContractSuite } from './repo-contract';

repoContractSuite('PGlite (memory://)');
