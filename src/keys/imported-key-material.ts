import { CustomResource, Duration, Expiration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EncryptionKey } from './encryption-key';
import { ImportKeyMaterialFunction } from './import-key-material-function';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { invalid } from '../private/validation';

/**
 * Properties of {@link ImportedKeyMaterial}.
 */
export interface ImportedKeyMaterialProps {
  /** The key (Origin EXTERNAL) to import into. */
  readonly key: EncryptionKey;
  /** The secret holding the material. */
  readonly secret: secretsmanager.ISecret;
  /**
   * The secret version to import.
   *
   * @default - AWSCURRENT at deploy time
   */
  readonly secretVersionId?: string;
  /**
   * When the material expires. Use a fixed date (`Expiration.atDate`): a relative one changes
   * at every synth and imports again at every deployment.
   *
   * @default - never
   */
  readonly expiration?: Expiration;
}

const PROVIDER_ID = 'CdkKmsPatternsImportKeyMaterialProvider';
const MAX_VALIDITY_DAYS = 365;

/**
 * Checks imported key material options; returns the ISO-8601 expiry, if any.
 *
 * @internal
 */
export function validateImportedKeyMaterial(
  prop: string,
  options: { readonly secretVersionId?: string; readonly expiration?: Expiration },
): string | undefined {
  let validTo: string | undefined;
  if (options.expiration) {
    const date = options.expiration.date;
    const now = Date.now();
    if (date.getTime() <= now) {
      invalid(`${prop}.expiration`, 'must be in the future', date.toISOString());
    }
    if (date.getTime() > now + MAX_VALIDITY_DAYS * 24 * 3600 * 1000) {
      invalid(`${prop}.expiration`, `must be at most ${MAX_VALIDITY_DAYS} days ahead (KMS limit)`, date.toISOString());
    }
    validTo = date.toISOString();
  }
  if (options.secretVersionId !== undefined && !Token.isUnresolved(options.secretVersionId) && !/^[A-Za-z0-9-]{32,64}$/.test(options.secretVersionId)) {
    invalid(`${prop}.secretVersionId`, 'must be a Secrets Manager version id (32 to 64 letters, digits or hyphens)', options.secretVersionId);
  }
  return validTo;
}

/**
 * Imports key material from a Secrets Manager secret into a key with Origin EXTERNAL, through a
 * custom resource (GetParametersForImport, wrapping with RSAES_OAEP_SHA_256 for symmetric and HMAC
 * material or RSA_AES_KEY_WRAP_SHA_256 for private keys, ImportKeyMaterial). One
 * handler per stack serves every key. Deleting it never deletes the key or its material.
 *
 * Created by `EncryptionKey` when `importedKeyMaterial` is set.
 */
export class ImportedKeyMaterial extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ImportedKeyMaterialProps) {
    super(scope, id);
    const validTo = validateImportedKeyMaterial('importedKeyMaterial', props);

    const { provider, handler } = providerFor(this);
    props.secret.grantRead(handler);
    props.key.grant(handler, 'kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial');

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KmsImportKeyMaterial',
      properties: {
        KeyId: props.key.keyArn,
        KeySpec: props.key.keySpec,
        SecretArn: props.secret.secretArn,
        SecretVersionId: props.secretVersionId,
        ValidTo: validTo,
      },
    });
  }
}

function providerFor(scope: Construct): { provider: cr.Provider; handler: lambda.IFunction } {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(PROVIDER_ID) as ImportKeyMaterialProvider | undefined;
  if (existing) {
    return { provider: existing.provider, handler: existing.handler };
  }
  const created = new ImportKeyMaterialProvider(stack, PROVIDER_ID);
  return { provider: created.provider, handler: created.handler };
}

/**
 * The stack-wide handler and provider for imported key material.
 */
class ImportKeyMaterialProvider extends Construct {
  public readonly provider: cr.Provider;
  public readonly handler: lambda.Function;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-kms-patterns: imports key material into KMS keys with Origin EXTERNAL',
    });
    logGroup.grantWrite(role);
    this.handler = new ImportKeyMaterialFunction(this, 'Handler', {
      role,
      logGroup,
      timeout: Duration.minutes(2),
      memorySize: 256,
    });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR }),
    });

    const stack = Stack.of(this);
    const handlerLogicalId = stack.resolve(stack.getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction));
    acknowledge(this.provider, [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`,
    ],
    'The CDK custom resource provider framework\'s own role: AWSLambdaBasicExecutionRole for its logs, and invoke rights on the versions of this one handler');
    acknowledgeInCompliancePacks(this, 'IAMNoInlinePolicy',
      'Inline policies scoped to the keys and secrets this handler imports from; they live and die with the handler');
    acknowledgeInCompliancePacks(this, 'LambdaInsideVPC',
      'A CloudFormation custom resource handler that calls only the KMS and Secrets Manager APIs; it holds no network-reachable state', ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']);
    acknowledgeInCompliancePacks(this, 'LambdaConcurrency',
      'Invoked only by CloudFormation during deployments', ['NIST.800.53.R5', 'HIPAA.Security']);
    acknowledgeInCompliancePacks(this, 'LambdaDLQ',
      'Invoked synchronously by the provider framework, which reports failures to CloudFormation', ['NIST.800.53.R5', 'HIPAA.Security']);
    acknowledgeInCompliancePacks(this, 'CloudWatchLogGroupEncrypted',
      'The logs hold key ids, secret ARNs and step names only, never key material (tested)');
  }
}
