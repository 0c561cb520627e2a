import * as iam from 'aws-cdk-lib/aws-iam';
import { CorpusApp } from './corpus-app';
import { EncryptedBucket, EncryptionKey, KeyCapability, KeyService } from '../../../src';

/** The library's way: an EncryptionKey from declared roles, a bucket under it. */
export const correctEncryptionKey: CorpusApp = {
  name: 'CorrectEncryptionKey',
  mistake: 'correct: `EncryptionKey` with declared roles, `EncryptedBucket`',
  correct: true,
  build: stack => {
    const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
    const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new EncryptionKey(stack, 'DataKey', {
      administrators: [admins],
      access: [{ capabilities: [KeyCapability.ENVELOPE], principals: [app], viaServices: [KeyService.S3] }],
    });
    const bucket = new EncryptedBucket(stack, 'Data', { encryptionKey: key });
    bucket.grantReadWrite(app);
  },
};
