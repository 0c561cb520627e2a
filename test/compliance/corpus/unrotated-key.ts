import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CorpusApp } from './corpus-app';

/**
 * A key as a quick start writes it: no rotation, a 7-day pending window and deleted with the stack.
 */
export const unrotatedKey: CorpusApp = {
  name: 'UnrotatedKey',
  mistake: 'unrotated key, 7-day pending window, `DESTROY` removal policy',
  correct: false,
  build: stack => {
    new kms.Key(stack, 'Key', { pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY });
  },
};
