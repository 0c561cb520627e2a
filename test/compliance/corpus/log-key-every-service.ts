import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CorpusApp } from './corpus-app';

/**
 * A log group key "shared with every service": anyone may use it through any AWS service (a
 * kms:ViaService wildcard pins no account), and CloudWatch Logs may use it for any account's log
 * groups (no source or encryption context condition).
 */
export const logKeyEveryService: CorpusApp = {
  name: 'LogKeyEveryService',
  mistake: 'log group key open to every service (`kms:ViaService` `*`), Logs without a source',
  correct: false,
  build: stack => {
    const key = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AnyService',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringLike: { 'kms:ViaService': '*.amazonaws.com' } },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'Logs', principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)], actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], resources: ['*'],
    }));
    new logs.LogGroup(stack, 'AppLogs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
  },
};
