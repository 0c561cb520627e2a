/**
 * The event patterns and metric filters of `KeyAlerts`, as pure functions returning fresh objects
 * (tested against AWS's sample events with an EventBridge pattern matcher). Never exported from the
 * package.
 */

/** The `detail-type` EventBridge gives CloudTrail's records of API calls. */
export const API_CALL_VIA_CLOUDTRAIL = 'AWS API Call via CloudTrail';

/** KMS's own events (no trail needed). */
export const KMS_NATIVE_EVENTS = {
  KEY_MATERIAL_EXPIRATION: 'KMS Imported Key Material Expiration',
  ROTATION: 'KMS CMK Rotation',
  DELETION: 'KMS CMK Deletion',
} as const;

/** Which keys a pattern is about, as CloudTrail and KMS record them. */
export interface KeyScope {
  /** Key ARNs. */
  readonly keyArns: string[];
  /** Key ids (CloudTrail records the key id when the caller passed it). */
  readonly keyIds: string[];
  /** Alias names (`alias/...`): DeleteAlias and UpdateAlias record only the alias name. */
  readonly aliasNames: string[];
}

/**
 * The calls that take a key away or widen access to it: disabling, scheduling deletion, replacing
 * the key policy, deleting imported key material. CloudTrail records `requestParameters.keyId` as
 * the caller passed it: these operations accept a key id or a key ARN, both matched.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-disablekey.html
 */
export function dangerousKeyCallsPattern(scope: KeyScope, eventNames: string[]): any {
  return apiCall(eventNames, { requestParameters: { keyId: keyRefs(scope) } });
}

/**
 * `CreateGrant` on the keys by a principal of another account, or for a grantee that is not a
 * principal of the account: the caller's `userIdentity.accountId` differs, or the
 * `requestParameters.granteePrincipal` is none of the account's IAM or STS ARNs, the account's AWS
 * service infrastructure principals (`<account>:aws:ec2-infrastructure:<instance>`, as EBS records
 * when it attaches a volume on the account's behalf) or an AWS service principal.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-creategrant.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-ec2two.html
 */
export function externalGrantPattern(scope: KeyScope, account: string): any {
  return apiCall(['CreateGrant'], {
    requestParameters: { keyId: keyRefs(scope) },
    $or: [
      { userIdentity: { accountId: [{ 'anything-but': [account] }] } },
      {
        requestParameters: {
          granteePrincipal: [{
            'anything-but': {
              wildcard: [`arn:*:iam::${account}:*`, `arn:*:sts::${account}:*`, `${account}:aws:*`, '*.amazonaws.com', '*.amazonaws.com.cn'],
            },
          }],
        },
      },
    ],
  });
}

/**
 * `DeleteAlias` and `UpdateAlias` of the keys' aliases (CloudTrail records the alias name), and
 * `UpdateAlias` pointing an alias at one of the keys (`targetKeyId`). `CreateAlias` is not watched:
 * an alias must be unique in the account and Region, so `CreateAlias` cannot repoint an existing
 * alias; re-pointing an alias is `UpdateAlias` ("associates an existing alias with a different KMS
 * key").
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-deletealias.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-updatealias.html
 */
export function aliasChangePattern(scope: KeyScope): any {
  const toKey = { requestParameters: { targetKeyId: keyRefs(scope) } };
  if (scope.aliasNames.length === 0) {
    return apiCall(['UpdateAlias'], toKey);
  }
  return apiCall(['DeleteAlias', 'UpdateAlias'], { $or: [{ requestParameters: { aliasName: [...scope.aliasNames] } }, toKey] });
}

/**
 * One of KMS's own events (`KMS CMK Rotation`, `KMS Imported Key Material Expiration`,
 * `KMS CMK Deletion`) for the keys: the key ARN is in `resources`.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-events.html
 */
export function kmsEventPattern(scope: KeyScope, detailTypes: string[]): any {
  return { 'source': ['aws.kms'], 'detail-type': [...detailTypes], 'resources': [...scope.keyArns] };
}

/**
 * The CIS AWS Foundations / Security Hub CloudWatch.7 metric filter, exactly as the control
 * states it.
 *
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-7
 */
export const DISABLE_OR_DELETE_KEY_FILTER = '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}';

/**
 * KMS calls refused for lack of permission (`AccessDenied`, `AccessDeniedException`) by anyone:
 * a burst is someone probing the keys, or a broken grant.
 */
export const KMS_ACCESS_DENIED_FILTER = '{($.eventSource=kms.amazonaws.com) && (($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*"))}';

function apiCall(eventNames: string[], detail: any): any {
  return {
    'source': ['aws.kms'],
    'detail-type': [API_CALL_VIA_CLOUDTRAIL],
    'detail': { eventSource: ['kms.amazonaws.com'], eventName: [...eventNames], ...detail },
  };
}

function keyRefs(scope: KeyScope): string[] {
  return [...scope.keyArns, ...scope.keyIds];
}
