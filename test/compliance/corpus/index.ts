/** The mistake corpus: every app, wrong ones first. */
import { awsManagedKeys } from './aws-managed-keys';
import { CorpusApp } from './corpus-app';
import { correctEncryptionKey } from './correct-encryption-key';
import { correctHandWritten } from './correct-hand-written';
import { createGrantPartner } from './create-grant-partner';
import { dbPasswordStringParameter } from './db-password-string-parameter';
import { logKeyEveryService } from './log-key-every-service';
import { partnerAdministers } from './partner-administers';
import { rdsAwsManagedKey } from './rds-aws-managed-key';
import { rootKmsStarBroadRole } from './root-kms-star-broad-role';
import { unrotatedKey } from './unrotated-key';

export * from './corpus-app';

export const CORPUS: CorpusApp[] = [
  rootKmsStarBroadRole, createGrantPartner, partnerAdministers, logKeyEveryService, unrotatedKey, dbPasswordStringParameter, awsManagedKeys,
  rdsAwsManagedKey,
  correctEncryptionKey, correctHandWritten,
];
