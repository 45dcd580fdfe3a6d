import { describe, expect, it } from 'vitest';
import { createScope, toDisposable } from './disposable';

describe('createScope', () => {
  it('disposes in reverse order, once, and disposes at once what is added afterwards', () => {
    const order: string[] = [];
    const scope = createScope();
    scope.add(toDisposable(() => order.push('first')));
    scope.add(toDisposable(() => order.push('second')));
    scope.dispose();
    scope.dispose();
    expect(order).toEqual(['second', 'first']);
    scope.add(toDisposable(() => order.push('late')));
    expect(order).toEqual(['second', 'first', 'late']);
  });
});
