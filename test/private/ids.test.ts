import { ACCESS_REPORT_CONTEXT, NagRules, WarningIds } from '../../src/private/ids';

describe('WarningIds', () => {
  const ids = Object.values(WarningIds);

  test('every warning id is cdk-kms-patterns:<camelCase name>', () => {
    for (const id of ids) {
      expect(id).toMatch(/^cdk-kms-patterns:[a-z][A-Za-z]+$/);
    }
  });

  test('no two warnings share an id', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('other ids', () => {
  test('the access report context key is in the library\'s namespace and is not a warning id', () => {
    expect(ACCESS_REPORT_CONTEXT).toMatch(/^cdk-kms-patterns:/);
    expect(Object.values(WarningIds)).not.toContain(ACCESS_REPORT_CONTEXT);
  });

  test('granular cdk-nag ids are written as cdk-nag 3 names them', () => {
    expect(NagRules.iam5('*')).toBe('AwsSolutions-IAM5[Resource::*]');
    expect(NagRules.iam4('arn:aws:iam::aws:policy/X')).toBe('AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/X]');
  });
});
