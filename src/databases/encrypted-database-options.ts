import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IEncryptionKey } from '../keys/encryption-key-base';

/**
 * The settings `EncryptedDatabaseInstance` and `EncryptedDatabaseCluster` share: network,
 * credentials, the key, Performance Insights retention, logs, backups, maintenance, monitoring and
 * deletion protection.
 */
export interface EncryptedDatabaseOptions {
  /**
   * The VPC.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets.
   *
   * @default - the VPC's private subnets with egress, or its isolated subnets when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups.
   *
   * @default - a new security group without inbound rules
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The master user's name.
   *
   * @default - the engine's default (`postgres`, `admin`)
   */
  readonly masterUsername?: string;

  /**
   * Let RDS manage the master password in Secrets Manager, under the key, and rotate it (every 7
   * days by default). When false, a generated secret under the key holds the password and you add
   * rotation yourself (`addRotationSingleUser()` of the instance or cluster); this warns, and so does the key:
   * aws-cdk-lib's generated secret gives the whole account the key through Secrets Manager.
   *
   * @default true
   */
  readonly manageMasterUserPassword?: boolean;

  /**
   * The key that encrypts the storage, snapshots, Performance Insights, the master secret and the
   * exported log groups.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * How long Performance Insights keeps data.
   *
   * @default rds.PerformanceInsightRetention.DEFAULT (7 days)
   */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;

  /**
   * How long the exported log groups keep events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * IAM database authentication (for `grantConnect`).
   *
   * @default true
   */
  readonly iamAuthentication?: boolean;

  /**
   * How long automated backups are kept: 1 to 35 days.
   *
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window (`hh24:mi-hh24:mi`, UTC).
   *
   * @default - chosen by RDS
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window (`ddd:hh24:mi-ddd:hh24:mi`, UTC).
   *
   * @default - chosen by RDS
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Enhanced monitoring interval (1, 5, 10, 15, 30 or 60 seconds).
   *
   * @default - no enhanced monitoring
   */
  readonly monitoringInterval?: Duration;

  /**
   * Deletion protection. False warns.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}
