import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { checkEncryptionKey } from '../private/encrypted-resource';
import { ComplianceRules, LAMBDA_BASIC_EXECUTION_POLICY, NagRules, NIST_AND_HIPAA } from '../private/ids';
import { invalid } from '../private/validation';

/**
 * Properties of a `RedshiftSnapshotCopyGrant`.
 */
export interface RedshiftSnapshotCopyGrantProps {
  /**
   * The key, in this stack's Region (the destination Region of the copies), that encrypts the
   * copied snapshots. Redshift supports symmetric keys only.
   */
  readonly encryptionKey: IEncryptionKey;

  /**
   * The grant's name, which the source cluster names in `snapshotCopy.grantName`: 1 to 63
   * lowercase letters, digits or hyphens, a letter first, no trailing or consecutive hyphens,
   * unique in the Region for the account.
   *
   * IMPORTANT: changing it replaces the grant. A grant cannot be modified: a new key with the same
   * name deletes the grant and creates it again under the new key (copies made in between fail).
   */
  readonly snapshotCopyGrantName: string;
}

/**
 * A Redshift snapshot copy grant: lets Amazon Redshift encrypt snapshots copied into this stack's
 * Region with a key of this Region. Create it in the destination Region's stack, and name it in the
 * source cluster's `snapshotCopy` (the source stack depends on this one).
 *
 * CloudFormation has no resource type for it (aws-cdk-lib 2.271 and cfn-lint's schemas have no
 * `AWS::Redshift::SnapshotCopyGrant`), so a custom resource calls `CreateSnapshotCopyGrant` and,
 * when it leaves the stack, `DeleteSnapshotCopyGrant`. Its role may call those on this grant only,
 * and use the key through Redshift only: `kms:DescribeKey`, and grants for AWS resources
 * (`kms:GrantIsForAWSResource`), which is what Redshift asks of the caller.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html#configure-snapshot-copy-grant
 */
export class RedshiftSnapshotCopyGrant extends Construct {
  /**
   * Checks a snapshot copy grant name; tokens pass.
   *
   * @param prop the prop, for the message
   * @param name the name
   */
  public static validateName(prop: string, name: string): void {
    if (Token.isUnresolved(name)) return;
    if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(name) || name.endsWith('-')) {
      invalid(prop, 'must be 1 to 63 lowercase letters, digits or hyphens, start with a letter, and have no trailing or consecutive hyphens', name);
    }
  }

  /** The grant's name. */
  public readonly snapshotCopyGrantName: string;
  /** The key copies are encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The Region copies arrive in: this stack's. */
  public readonly region: string;
  /** The custom resource. */
  public readonly resource: cr.AwsCustomResource;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: RedshiftSnapshotCopyGrantProps) {
    RedshiftSnapshotCopyGrant.validateName('snapshotCopyGrantName', props.snapshotCopyGrantName);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'Redshift');
    super(scope, id);
    this.snapshotCopyGrantName = props.snapshotCopyGrantName;
    this.encryptionKey = props.encryptionKey;
    this.region = Stack.of(this).region;
    const stack = Stack.of(this);
    const grantArn = stack.formatArn({
      service: 'redshift', resource: 'snapshotcopygrant', resourceName: props.snapshotCopyGrantName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const policy = cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['redshift:CreateSnapshotCopyGrant', 'redshift:DeleteSnapshotCopyGrant'],
      resources: [grantArn],
    })]);
    // A grant cannot be modified, and a new one with the same name cannot exist next to the old
    // one (SnapshotCopyGrantAlreadyExistsFault). When the key (or the name) changes, this resource,
    // updated first, deletes the grant of that name; the grant below then creates it under the new
    // key. On create it only reads the caller's identity (sts:GetCallerIdentity needs no permission):
    // a grant of that name made outside the stack is never deleted, and the create fails as before.
    const replaceOnKeyChange = new cr.AwsCustomResource(this, 'ReplaceOnKeyChange', {
      resourceType: 'Custom::RedshiftSnapshotCopyGrantReplacement',
      installLatestAwsSdk: false,
      logGroup,
      onCreate: {
        service: 'STS',
        action: 'getCallerIdentity',
        physicalResourceId: cr.PhysicalResourceId.of(`${props.snapshotCopyGrantName}:${props.encryptionKey.keyArn}`),
      },
      onUpdate: {
        service: 'Redshift',
        action: 'deleteSnapshotCopyGrant',
        parameters: { SnapshotCopyGrantName: props.snapshotCopyGrantName },
        ignoreErrorCodesMatching: 'SnapshotCopyGrantNotFoundFault',
        physicalResourceId: cr.PhysicalResourceId.of(`${props.snapshotCopyGrantName}:${props.encryptionKey.keyArn}`),
      },
      policy,
    });
    const create: cr.AwsSdkCall = {
      service: 'Redshift',
      action: 'createSnapshotCopyGrant',
      parameters: { SnapshotCopyGrantName: props.snapshotCopyGrantName, KmsKeyId: props.encryptionKey.keyArn },
      physicalResourceId: cr.PhysicalResourceId.of(props.snapshotCopyGrantName),
    };
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::RedshiftSnapshotCopyGrant',
      installLatestAwsSdk: false,
      logGroup,
      onCreate: create,
      // A new name creates a new grant, and CloudFormation then deletes the old one (its physical id
      // is the old name); a new key with the same name: ReplaceOnKeyChange deleted the old grant first,
      // and the physical id (the name) stays, so CloudFormation deletes nothing afterwards.
      onUpdate: create,
      onDelete: {
        service: 'Redshift',
        action: 'deleteSnapshotCopyGrant',
        parameters: { SnapshotCopyGrantName: props.snapshotCopyGrantName },
        ignoreErrorCodesMatching: 'SnapshotCopyGrantNotFoundFault',
      },
      policy,
    });
    this.resource.node.addDependency(replaceOnKeyChange);
    const grants = props.encryptionKey.grantThroughService(this.resource, KeyService.REDSHIFT,
      KeyCapability.DESCRIBE, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    // The statements on the role exist before the custom resource runs.
    grants.applyBefore(this.resource);
    acknowledgeCustomResourceHandler(this);
  }
}

/** The id aws-cdk-lib gives the singleton function of every `AwsCustomResource` of a stack. */
const AWS_CUSTOM_RESOURCE_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges, with reasons, the findings that cannot apply to aws-cdk-lib's `AwsCustomResource`
 * handler (shared by every such resource of the stack).
 */
function acknowledgeCustomResourceHandler(scope: Construct): void {
  const handler = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID);
  for (const target of [scope, ...(handler ? [handler] : [])]) {
    acknowledge(target, [NagRules.iam4(LAMBDA_BASIC_EXECUTION_POLICY)],
      'aws-cdk-lib AwsCustomResource: its handler role writes its own logs with AWSLambdaBasicExecutionRole');
    acknowledge(target, ['AwsSolutions-L1'], 'aws-cdk-lib AwsCustomResource: its runtime is chosen by aws-cdk-lib');
    acknowledgeInCompliancePacks(target, ComplianceRules.IAM_NO_INLINE_POLICY,
      'Inline policies scoped to the one snapshot copy grant and its key; they live and die with the handler');
    acknowledgeInCompliancePacks(target, ComplianceRules.LAMBDA_INSIDE_VPC,
      'A CloudFormation custom resource handler that calls only Redshift CreateSnapshotCopyGrant and DeleteSnapshotCopyGrant');
    acknowledgeInCompliancePacks(target, ComplianceRules.LAMBDA_CONCURRENCY, 'Invoked only by CloudFormation during deployments', NIST_AND_HIPAA);
    acknowledgeInCompliancePacks(target, ComplianceRules.LAMBDA_DLQ,
      'Invoked synchronously by CloudFormation, which reports failures', NIST_AND_HIPAA);
    acknowledgeInCompliancePacks(target, ComplianceRules.LOG_GROUP_ENCRYPTED,
      'The handler logs hold the grant name and key ARN only, never data');
    acknowledge(target, [NagRules.KMS_CHECKS_LOG_GROUP_CMK], 'The handler logs hold the grant name and key ARN only, never data');
  }
}
