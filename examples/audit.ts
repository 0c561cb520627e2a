/**
 * Key audit in the example app: a trail that records every KMS call of the account under its own
 * key, and alerts on dangerous events of the security team's keys, delivered by email.
 */
import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EncryptionKey, KeyAlerts, KeyAuditTrail } from '../src';

/** Props of the audit stack. */
export interface AuditStackProps extends StackProps {
  /** The keys to watch. */
  readonly keys: EncryptionKey[];
  /** Their aliases (DeleteAlias records only the alias name). */
  readonly aliasNames: string[];
}

/**
 * The audit stack: `KeyAuditTrail` (multi-Region, log file validation, bucket and log group under
 * the audit key) and `KeyAlerts` on the keys, to an encrypted topic with an email subscription.
 */
export class AuditStack extends Stack {
  /** The trail. */
  public readonly trail: KeyAuditTrail;
  /** The alerts. */
  public readonly alerts: KeyAlerts;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    this.trail = new KeyAuditTrail(this, 'Trail', { trailName: 'key-audit' });
    Validations.of(this.trail.bucket.bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Log files are validated by CloudTrail digest files and retained; the organization log archive keeps the second copy',
    });
    Validations.of(this.trail.bucket.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Log files are validated by CloudTrail digest files and retained; the organization log archive keeps the second copy',
    });
    Validations.of(this.trail.bucket.bucket).acknowledge({
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason: 'Log files are validated by CloudTrail digest files and retained; the organization log archive keeps the second copy',
    });
    this.alerts = new KeyAlerts(this, 'Alerts', {
      keys: [...props.keys, this.trail.encryptionKey as EncryptionKey],
      aliasNames: props.aliasNames,
      trail: this.trail,
      // the topic shares the audit key: one key for the audit record and its alerts
      encryptionKey: this.trail.encryptionKey,
      emailAddresses: ['security-alerts@example.com'],
    });
  }
}
