import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CorpusApp } from './corpus-app';

/**
 * A correct aws-cdk-lib key with a hand-written policy: named administrators, a user that only
 * uses the key, grants only for AWS resources, CloudWatch Logs limited to this account's log groups.
 */
export const correctHandWritten: CorpusApp = {
  name: 'CorrectHandWritten',
  mistake: 'correct: aws-cdk-lib `kms.Key` with a least-privilege policy written by hand',
  correct: true,
  build: stack => {
    const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
    const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logsArn = `arn:aws:logs:${stack.region}:${stack.account}:log-group:*`;
    const key = new kms.Key(stack, 'Key', {
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'Administer',
            principals: [admins],
            resources: ['*'],
            actions: [
              'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey', 'kms:EnableKey', 'kms:EnableKeyRotation',
              'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:TagResource',
              'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
            ],
          }),
          new iam.PolicyStatement({ sid: 'Use', principals: [worker], resources: ['*'], actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] }),
          new iam.PolicyStatement({ sid: 'Grants', principals: [worker], resources: ['*'], actions: ['kms:CreateGrant'], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
          new iam.PolicyStatement({
            sid: 'Logs',
            principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
            resources: ['*'],
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
            conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logsArn, 'aws:SourceArn': logsArn } },
          }),
        ],
      }),
    });
    key.grantDecrypt(worker);
    new logs.LogGroup(stack, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
  },
};
