import { canonicalConditions, Conditions } from '../policy/conditions';
import { expandActions } from '../policy/key-grants';
import { KeyPolicyEntry } from '../policy/key-policy-document';
import * as perms from '../private/perms';

/**
 * A key policy as the engine sees it, read from any `AWS::KMS::Key` or `AWS::KMS::ReplicaKey`
 * policy JSON (ours, aws-cdk-lib's, a raw L1's), so that rules evaluate what a statement allows
 * (principals, explicit actions, conditions) rather than pattern-match on `*`.
 */
export interface ParsedKeyPolicy {
  /** The Allow statements, one entry per principal type, actions written out. */
  readonly entries: ParsedEntry[];
  /** The Deny statements, as they are. */
  readonly denies: any[];
  /** Statements the parser cannot reduce to entries (NotAction, NotPrincipal, unknown shapes), as they are. */
  readonly unparsed: any[];
}

/** One Allow entry, with the statement it came from. */
export interface ParsedEntry extends KeyPolicyEntry {
  /** The statement's index in the policy. */
  readonly index: number;
  /** Whether the statement said `kms:*` (or `*`), before expansion. */
  readonly allActions: boolean;
}

/**
 * Reads a key policy document (with intrinsics resolved or not: principals that are intrinsics are
 * kept as their JSON).
 */
export function parseKeyPolicy(policy: any): ParsedKeyPolicy {
  const entries: ParsedEntry[] = [];
  const denies: any[] = [];
  const unparsed: any[] = [];
  const statements: any[] = policy && policy.Statement ? ([] as any[]).concat(policy.Statement) : [];
  statements.forEach((statement, index) => {
    if (!statement || typeof statement !== 'object') {
      unparsed.push(statement);
      return;
    }
    if (statement.Effect === 'Deny') {
      denies.push(statement);
      return;
    }
    if (statement.Effect !== 'Allow' || statement.NotAction !== undefined || statement.NotPrincipal !== undefined
      || statement.Principal === undefined || statement.Action === undefined) {
      unparsed.push(statement);
      return;
    }
    const rawActions = ([] as any[]).concat(statement.Action).filter(a => typeof a === 'string');
    let actions: string[];
    try {
      actions = expandActions(rawActions, `statement ${statement.Sid ?? index}`);
    } catch {
      unparsed.push(statement);
      return;
    }
    const allActions = rawActions.some(a => a === '*' || a.toLowerCase() === perms.ALL_ACTIONS_WILDCARD);
    const conditions = statement.Condition ? canonicalConditions(statement.Condition as Conditions) : undefined;
    const label = typeof statement.Sid === 'string' ? statement.Sid : `Statement${index}`;
    for (const [principalType, principals] of principalGroups(statement.Principal)) {
      entries.push({ index, label, principalType, principals, actions, conditions, allActions });
    }
  });
  return { entries, denies, unparsed };
}

function principalGroups(principal: any): Array<['AWS' | 'Service' | '*', string[]]> {
  if (principal === '*') {
    return [['*', []]];
  }
  const groups: Array<['AWS' | 'Service' | '*', string[]]> = [];
  for (const [type, value] of Object.entries<any>(principal ?? {})) {
    const values = ([] as any[]).concat(value).map(v => (typeof v === 'string' ? v : JSON.stringify(v)));
    if (type === 'AWS') {
      const named = values.filter(v => v !== '*');
      if (named.length < values.length) groups.push(['*', []]);
      if (named.length > 0) groups.push(['AWS', named]);
    } else if (type === 'Service') {
      groups.push(['Service', values]);
    }
  }
  return groups;
}
