import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CorpusApp, PARTNER } from './corpus-app';

/**
 * The partner's platform team listed among the key administrators (terraform-aws-kms
 * `key_administrators` with an external ARN): another organization is meant to control a key that
 * protects this account's data.
 */
export const partnerAdministers: CorpusApp = {
  name: 'PartnerAdministers',
  mistake: 'a role of the partner account among the key administrators',
  correct: false,
  build: stack => {
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'PartnerAdmins',
      principals: [new iam.ArnPrincipal(`arn:aws:iam::${PARTNER}:role/PlatformAdmins`)],
      actions: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:TagResource'],
      resources: ['*'],
    }));
  },
};
