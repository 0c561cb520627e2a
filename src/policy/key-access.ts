import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyCapability } from './key-capability';
import { KeyService } from './key-service';

/**
 * How the key policy is generated.
 */
export enum KeyPolicyMode {
  /**
   * Only what is declared: administrators who cannot use the key, users who can only use it,
   * services only through `kms:ViaService`. IAM policies alone never grant access to the key.
   */
  LEAST_PRIVILEGE = 'LEAST_PRIVILEGE',
  /**
   * AWS's default key policy: the account root gets `kms:*`, so any principal of the account
   * whose IAM policy allows it can use and administer the key. The weaker choice; declared
   * administrators and users are still added.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
   */
  AWS_DEFAULT = 'AWS_DEFAULT',
}

/**
 * One rule of a key policy: who may use the key for what, under which conditions.
 *
 * Set at least one of `principals`, `principalArnPatterns` or `accounts`.
 */
export interface KeyAccess {
  /**
   * What the principals may do.
   */
  readonly capabilities: KeyCapability[];

  /**
   * Principals named one by one: roles, users, `AccountPrincipal`s, `ArnPrincipal`s.
   * Roles and users created in the app also get the matching IAM policy.
   *
   * @default - none
   */
  readonly principals?: iam.IPrincipal[];

  /**
   * Principals matched by ARN pattern (`aws:PrincipalArn` with `ArnLike`), for example
   * `arn:aws:iam::111122223333:role/app/*` for every role under the path `/app/`. One pattern
   * serves any number of roles at a constant policy size. Principals matched this way also need
   * an IAM policy allowing the actions.
   *
   * @default - none
   */
  readonly principalArnPatterns?: string[];

  /**
   * Further restrict the principals to those carrying these tags (`aws:PrincipalTag/<key>`).
   * Only meaningful with `principalArnPatterns` or `accounts`: whoever can tag principals (or
   * pass session tags) can then use the key, so restrict `iam:TagRole` and `sts:TagSession`.
   *
   * @default - no tag condition
   */
  readonly principalTags?: { [key: string]: string };

  /**
   * Other AWS accounts whose principals may use the key, delegated to their IAM policies.
   * Limited to the operations KMS honours across accounts.
   *
   * @default - none
   */
  readonly accounts?: string[];

  /**
   * Only principals of this AWS Organizations organization (`aws:PrincipalOrgID`).
   *
   * @default - no organization condition
   */
  readonly organizationId?: string;

  /**
   * Only through these AWS services (`kms:ViaService`, with `kms:CallerAccount`).
   *
   * @default - direct use allowed
   */
  readonly viaServices?: KeyService[];

  /**
   * Only with this encryption context (`kms:EncryptionContext:<key>` equals the value).
   * Use `*` and `?` wildcards in a value to match with `StringLike`.
   *
   * @default - any encryption context
   */
  readonly encryptionContext?: { [key: string]: string };
}
