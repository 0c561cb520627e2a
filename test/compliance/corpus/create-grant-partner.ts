import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CorpusApp, PARTNER } from './corpus-app';

/**
 * A partner account may decrypt and create grants: with kms:CreateGrant and no
 * kms:GrantIsForAWSResource, the partner can hand the key to any third party with a grant the key
 * policy never shows (terraform-aws-kms key_users across accounts).
 */
export const createGrantPartner: CorpusApp = {
  name: 'CreateGrantPartner',
  mistake: '`kms:CreateGrant` to a partner account, no `kms:GrantIsForAWSResource`',
  correct: false,
  build: stack => {
    const admin = iam.Role.fromRoleArn(stack, 'Admin', `arn:aws:iam::${stack.account}:role/KeyAdmin`);
    new kms.Key(stack, 'SharedKey', {
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'Administer', principals: [admin], actions: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:TagResource', 'kms:UntagResource'], resources: ['*'] }),
          new iam.PolicyStatement({ sid: 'Partner', principals: [new iam.AccountPrincipal(PARTNER)], actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'], resources: ['*'] }),
        ],
      }),
    });
  },
};
