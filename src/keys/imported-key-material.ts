import { CustomResource, Expiration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EncryptionKey } from './encryption-key';
import { ImportKeyMaterialFunction } from './import-key-material-function';
import { validateImportedKeyMaterial } from './private/imported-key-material-options';
import { HandlerProvider } from '../private/handler-provider';

/**
 * Properties of `ImportedKeyMaterial`.
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

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ImportedKeyMaterialProps) {
    super(scope, id);
    const validTo = validateImportedKeyMaterial('importedKeyMaterial', props);

    const { provider, handler } = HandlerProvider.of(this, {
      id: PROVIDER_ID,
      description: 'imports key material into KMS keys with Origin EXTERNAL',
      calls: 'the KMS and Secrets Manager APIs',
      createFunction: (s, i, functionProps) => new ImportKeyMaterialFunction(s, i, functionProps),
    });
    props.secret.grantRead(handler);
    props.key.grantImportKeyMaterial(handler);

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
