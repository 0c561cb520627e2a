import { Annotations, CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EbsEncryptionByDefaultFunction } from './ebs-encryption-by-default-function';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { acknowledge } from '../private/acknowledge';
import { checkEncryptionKey } from '../private/encrypted-resource';
import { HandlerProvider } from '../private/handler-provider';
import { NagRules, WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { fail } from '../private/validation';

/**
 * Properties of `EbsEncryptionByDefault`.
 */
export interface EbsEncryptionByDefaultProps {
  /**
   * The key every new EBS volume of the account in this Region is encrypted with. It must be a
   * symmetric key in the stack's Region.
   */
  readonly encryptionKey: IEncryptionKey;

  /**
   * Let every principal of the account use the key through EC2 (`kms:ViaService` =
   * `ec2.<region>.amazonaws.com` and `kms:CallerAccount`), as the AWS managed `aws/ebs` key does.
   * Without it, every role that launches instances or creates volumes needs its own grant on the
   * key, or its launches fail.
   *
   * @default true
   */
  readonly allowAccountThroughEc2?: boolean;
}

const PROVIDER_ID = 'CdkKmsPatternsEbsEncryptionByDefaultProvider';

/** Marks the stack that holds the account and Region's one `EbsEncryptionByDefault`. */
class EbsDefaultMarker extends Construct {
  constructor(scope: Construct, id: string, public readonly owner: string) {
    super(scope, id);
  }
}
const MARKER = 'CdkKmsPatternsEbsEncryptionByDefault';

/**
 * Turns on EBS encryption by default for the account in the stack's Region, with a customer
 * managed key (EnableEbsEncryptionByDefault, ModifyEbsDefaultKmsKeyId): a setting CloudFormation
 * cannot manage. The previous settings are recorded and restored when the resource is deleted.
 *
 * IMPORTANT: this changes every EBS volume created afterwards in the account and Region, by every
 * principal, including instances launched by Auto Scaling and other services.
 */
export class EbsEncryptionByDefault extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EbsEncryptionByDefaultProps) {
    const key = props.encryptionKey;
    checkEncryptionKey(scope, 'encryptionKey', key, 'EBS');
    const stack = Stack.of(scope);
    // One per account and Region across the app where both are known, else one per stack.
    const concrete = !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
    const markerScope = concrete ? stack.node.root : stack;
    const markerId = concrete ? `${MARKER}-${stack.account}-${stack.region}` : MARKER;
    const existing = markerScope.node.tryFindChild(markerId) as EbsDefaultMarker | undefined;
    if (existing) {
      fail(`EbsEncryptionByDefault ${scope.node.path}/${id}: ${concrete ? `account ${stack.account} in ${stack.region}` : `stack ${stack.stackName}`} `
        + `already has one (${existing.owner}); one is allowed per account and Region, since EBS encryption by default is a single `
        + 'setting of the account in each Region');
    }
    super(scope, id);
    new EbsDefaultMarker(markerScope, markerId, this.node.path);

    const { provider, handler } = HandlerProvider.of(this, {
      id: PROVIDER_ID,
      description: 'manages EBS encryption by default for the account and Region',
      calls: 'the EC2 account-setting APIs',
      createFunction: (s, i, p) => new EbsEncryptionByDefaultFunction(s, i, p),
    });
    // These EC2 account settings have no resource: AWS accepts only Resource "*".
    handler.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'ec2:DisableEbsEncryptionByDefault',
        'ec2:EnableEbsEncryptionByDefault',
        'ec2:GetEbsDefaultKmsKeyId',
        'ec2:GetEbsEncryptionByDefault',
        'ec2:ModifyEbsDefaultKmsKeyId',
        'ec2:ResetEbsDefaultKmsKeyId',
      ],
      resources: ['*'],
    }));
    acknowledge(handler.role!, [NagRules.iam5('*')],
      'The EBS encryption-by-default account settings have no resource: AWS accepts only Resource "*" for them');
    key.grantDescribe(handler);
    // On delete, the handler checks that the previous default key (any key of the account and
    // Region, unknown at synth) is still enabled before restoring it.
    const anyKey = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: perms.DESCRIBE_ACTIONS, resources: [anyKey] }));
    const nagRegion = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const nagAccount = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledge(handler.role!, [NagRules.iam5(`arn:<AWS::Partition>:kms:${nagRegion}:${nagAccount}:key/*`)],
      'On delete the handler describes the previous default EBS key, which is known only at deploy time, before restoring it: '
      + 'describing a key reads its metadata only');

    if (props.allowAccountThroughEc2 ?? true) {
      key.allowEbsForAccount();
      // Instances that Auto Scaling launches get the default key too; its service-linked role needs
      // the key policy to name it (its own IAM policy grants nothing on KMS).
      key.allowAutoScaling();
    } else {
      Annotations.of(this).addWarningV2(WarningIds.EBS_DEFAULT_WITHOUT_ACCOUNT_ACCESS,
        'allowAccountThroughEc2 is false: every principal that creates volumes or launches instances in this account and Region needs a grant on the key '
        + '(EncryptedBlockDevice.forLauncher, grantThroughService(..., KeyService.EC2, ...)) or its launches fail');
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EbsEncryptionByDefault',
      properties: { KmsKeyId: key.keyArn },
    });
  }
}
