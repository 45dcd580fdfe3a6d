import { useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * A ref that always holds the last committed `value`, for callbacks and long-lived objects
 * (sockets, editors) that must call the current props without being rebuilt when they change.
 * Written in a layout effect, not during render, so a render React throws away never leaks into
 * it; layout effects run before every passive effect, so effects always read the current value.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
