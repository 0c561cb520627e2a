// Jest setup shared by every test file.
//
// aws-local-stepfunctions 3 declares Node >= 22 and calls Promise.withResolvers, which Node 20
// (this project's runtime) lacks. The polyfill below is the whole of what it needs.
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

// Never reach for credentials or the network while synthesizing.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.CDK_DISABLE_VERSION_CHECK = '1';

// aws-cdk-lib (>= 2.262) validates every template at synth, which costs seconds per test file and
// only warns; the templates are linted with cfn-lint in the example test instead.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
