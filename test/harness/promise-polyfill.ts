/**
 * aws-local-stepfunctions 3 declares Node >= 22 and calls `Promise.withResolvers`, which Node 20
 * (this project's runtime) lacks. Importing this module installs the whole of what it needs, once;
 * the jest setup (`test/setup.ts`) and the benchmarks that execute state machines import it.
 */
const promiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseCtor.withResolvers !== 'function') {
  promiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
