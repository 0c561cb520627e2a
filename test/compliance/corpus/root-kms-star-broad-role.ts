import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CorpusApp } from './corpus-app';

/**
 * aws-cdk-lib's default key policy (the account root gets kms:*) next to a "developer" role whose
 * IAM policy allows kms:* on every key: the developer can decrypt everything, change the key policy
 * and schedule the key's deletion (aws-cdk#24523, #31528).
 */
export const rootKmsStarBroadRole: CorpusApp = {
  name: 'RootKmsStarBroadRole',
  mistake: 'aws-cdk-lib `kms.Key` (root `kms:*`) + a role with `kms:*` on `*`',
  correct: false,
  build: stack => {
    const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
    const developer = new iam.Role(stack, 'Developer', { assumedBy: new iam.AccountRootPrincipal() });
    developer.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
    key.grantEncryptDecrypt(developer);
  },
};
