/**
 * The ids the library writes: its own warnings (acknowledge them with
 * `Validations.of(scope).acknowledge({ id, reason })`), its context keys and tag, and the cdk-nag
 * rule ids it acknowledges on its own resources. Never exported from the package.
 */

/** Warning ids, `cdk-kms-patterns:<name>`. */
export const WarningIds = {
  /** A grant gives the key to a whole account (delegating to its IAM policies). */
  ACCOUNT_WIDE_GRANT: 'cdk-kms-patterns:accountWideGrant',
  /** Another construct's account-wide statement, accepted by `allowAccountWideStatements`. */
  ACCOUNT_WIDE_STATEMENT: 'cdk-kms-patterns:accountWideStatement',
  /** The key policy is AWS's default (account root `kms:*`). */
  AWS_DEFAULT_KEY_POLICY: 'cdk-kms-patterns:awsDefaultKeyPolicy',
  /** A bucket that is not retained. */
  BUCKET_REMOVAL_POLICY: 'cdk-kms-patterns:bucketRemovalPolicy',
  /** An administrator of another account (KMS honours only some actions across accounts). */
  CROSS_ACCOUNT_ADMINISTRATOR: 'cdk-kms-patterns:crossAccountAdministrator',
  /** EBS encryption by default opens the key to every principal of the account through EC2. */
  EBS_DEFAULT_ACCOUNT_ACCESS: 'cdk-kms-patterns:ebsDefaultAccountAccess',
  /** EBS encryption by default without account access: launchers need grants. */
  EBS_DEFAULT_WITHOUT_ACCOUNT_ACCESS: 'cdk-kms-patterns:ebsDefaultWithoutAccountAccess',
  /** An imported key's policy cannot be changed: the owner must add a statement. */
  IMPORTED_KEY_POLICY: 'cdk-kms-patterns:importedKeyPolicy',
  /** A key that is not retained. */
  KEY_REMOVAL_POLICY: 'cdk-kms-patterns:keyRemovalPolicy',
  /** The deploying principal is not known, so the lockout safety check cannot be proven. */
  LOCKOUT_UNPROVEN: 'cdk-kms-patterns:lockoutUnproven',
  /** A parameter that is not retained. */
  PARAMETER_REMOVAL_POLICY: 'cdk-kms-patterns:parameterRemovalPolicy',
  /** A principal of another stack referenced directly (stack dependency). */
  PRINCIPAL_REFERENCE: 'cdk-kms-patterns:principalReference',
  /** The replica stack's deployer is not known. */
  REPLICA_DEPLOYER: 'cdk-kms-patterns:replicaDeployer',
  /** Rotation turned off on a symmetric key. */
  ROTATION_DISABLED: 'cdk-kms-patterns:rotationDisabled',
  /** A secret that is not retained. */
  SECRET_REMOVAL_POLICY: 'cdk-kms-patterns:secretRemovalPolicy',
  /** An audit trail whose bucket or log group is not retained. */
  TRAIL_REMOVAL_POLICY: 'cdk-kms-patterns:trailRemovalPolicy',
  /** An audit trail of one Region only: KMS calls of other Regions are not recorded. */
  SINGLE_REGION_TRAIL: 'cdk-kms-patterns:singleRegionTrail',
  /** Key alerts without a trail's log group: no CloudWatch.7 alarm, no AccessDenied alarm. */
  ALERTS_WITHOUT_LOG_GROUP: 'cdk-kms-patterns:alertsWithoutLogGroup',
  /** A volume that is destroyed on removal. */
  VOLUME_REMOVAL_POLICY: 'cdk-kms-patterns:volumeRemovalPolicy',
  /** A snapshot share workflow (state machines, log group) that is not retained. */
  SNAPSHOT_WORKFLOW_REMOVAL_POLICY: 'cdk-kms-patterns:snapshotWorkflowRemovalPolicy',
  /** A database (RDS, Aurora, Redshift) that is deleted without a final snapshot. */
  DATABASE_REMOVAL_POLICY: 'cdk-kms-patterns:databaseRemovalPolicy',
  /** A database without deletion protection. */
  DATABASE_DELETION_PROTECTION: 'cdk-kms-patterns:databaseDeletionProtection',
  /** A database whose parameter group does not require TLS. */
  DATABASE_TLS_NOT_REQUIRED: 'cdk-kms-patterns:databaseTlsNotRequired',
  /** A database without Performance Insights under the key. */
  DATABASE_PERFORMANCE_INSIGHTS_OFF: 'cdk-kms-patterns:databasePerformanceInsightsOff',
  /** A database that exports fewer logs than it can (or none). */
  DATABASE_LOG_EXPORTS_REDUCED: 'cdk-kms-patterns:databaseLogExportsReduced',
  /** A database whose master password is not managed by the service (a generated secret instead). */
  DATABASE_MASTER_PASSWORD_NOT_MANAGED: 'cdk-kms-patterns:databaseMasterPasswordNotManaged',
  /** A Redshift cluster without enhanced VPC routing. */
  REDSHIFT_ENHANCED_VPC_ROUTING_OFF: 'cdk-kms-patterns:redshiftEnhancedVpcRoutingOff',
  /** A Region copy that copies what any sender of its request events in the source Region asks for. */
  REGION_COPY_SCHEDULE_REQUESTS: 'cdk-kms-patterns:regionCopyScheduleRequests',
  /** A snapshot Region copy schedule that logs nothing (`logLevel: OFF`). */
  REGION_COPY_SCHEDULE_LOGS_OFF: 'cdk-kms-patterns:regionCopyScheduleLogsOff',
} as const;

/** The context key that turns the key access report off. */
export const ACCESS_REPORT_CONTEXT = 'cdk-kms-patterns:accessReport';

/** Rules the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs share by name (`<pack>-<rule>`). */
export const ComplianceRules = {
  IAM_NO_INLINE_POLICY: 'IAMNoInlinePolicy',
  LAMBDA_INSIDE_VPC: 'LambdaInsideVPC',
  LAMBDA_CONCURRENCY: 'LambdaConcurrency',
  LAMBDA_DLQ: 'LambdaDLQ',
  LOG_GROUP_ENCRYPTED: 'CloudWatchLogGroupEncrypted',
  S3_LOGGING: 'S3BucketLoggingEnabled',
  S3_DEFAULT_ENCRYPTION_KMS: 'S3DefaultEncryptionKMS',
  S3_REPLICATION: 'S3BucketReplicationEnabled',
  DYNAMODB_IN_BACKUP_PLAN: 'DynamoDBInBackupPlan',
} as const;

/** The compliance packs that have the Lambda concurrency and DLQ rules. */
export const NIST_AND_HIPAA = ['NIST.800.53.R5', 'HIPAA.Security'];

/** The AWS managed policy of Lambda functions' logs. */
export const LAMBDA_BASIC_EXECUTION_POLICY = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** cdk-nag rule ids the library acknowledges on its own resources. */
export const NagRules = {
  /** A wildcard in an IAM policy resource: `AwsSolutions-IAM5[Resource::<resource>]`. */
  iam5: (resource: string) => `AwsSolutions-IAM5[Resource::${resource}]`,
  /** An AWS managed policy: `AwsSolutions-IAM4[Policy::<arn>]`. */
  iam4: (policyArn: string) => `AwsSolutions-IAM4[Policy::${policyArn}]`,
  /** Symmetric keys rotate (AwsSolutions). */
  KMS_ROTATION: 'AwsSolutions-KMS5',
  /** Server access logs on buckets (AwsSolutions). */
  S3_ACCESS_LOGS: 'AwsSolutions-S1',
  /** Key rotation rules of the compliance packs. */
  KMS_ROTATION_COMPLIANCE: ['NIST.800.53.R5-KMSBackingKeyRotationEnabled', 'PCI.DSS.321-KMSBackingKeyRotationEnabled'],
  /** Log groups without a customer managed key (KmsChecks). */
  KMS_CHECKS_LOG_GROUP_CMK: 'KmsChecks-LogGroupCmk',
} as const;
