import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, opsToken } from '../../test-support/admin-api.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let token: string;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
});
afterAll(() => idp.close());

type Page = {
  items: { id: string; type: string; subject: string | null; at: string }[];
  next_cursor: string | null;
};
const get = async (query: string) => {
  const answer = await admin(idp, token, 'GET', `/audit-events?${query}`);
  expect(answer.status, query).toBe(200);
  return answer.body as Page;
};

describe('admin audit events', () => {
  it('filters by type, actor, subject, client and time, and pages with a cursor', async () => {
    const subject = `subj-${randomBytes(4).toString('hex')}`;
    for (let index = 0; index < 3; index += 1) {
      await idp.audit.record({
        type: 'test.thing_happened',
        actor: { kind: 'operator', id: 'tester' },
        subject,
        client: 'shop',
        detail: { index },
      });
    }
    await idp.audit.record({ type: 'test.other', subject });

    expect((await get(`subject=${subject}`)).items).toHaveLength(4);
    expect((await get(`subject=${subject}&type=test.other`)).items).toHaveLength(1);
    expect((await get(`subject=${subject}&actor=tester&client=shop`)).items).toHaveLength(3);
    expect((await get(`subject=${subject}&client=wiki`)).items).toHaveLength(0);
    expect((await get(`subject=${subject}&from=2999-01-01T00:00:00Z`)).items).toHaveLength(0);
    expect((await get(`subject=${subject}&to=2000-01-01T00:00:00Z`)).items).toHaveLength(0);

    const first = await get(`subject=${subject}&limit=3`);
    expect(first.items).toHaveLength(3);
    const second = await get(`subject=${subject}&limit=3&cursor=${first.next_cursor!}`);
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    const ids = [...first.items, ...second.items].map((item) => Number(item.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('refuses bad times, forged cursors and cursors of another filter', async () => {
    for (const query of [
      'from=yesterday',
      'to=1',
      'limit=500',
      `cursor=${Buffer.from('1').toString('base64url')}.${'A'.repeat(43)}`,
      'type=a&type=b',
    ]) {
      const answer = await admin(idp, token, 'GET', `/audit-events?${query}`);
      expect(answer.status, query).toBe(400);
    }
    const page = await get('limit=1');
    const moved = await admin(
      idp,
      token,
      'GET',
      `/audit-events?type=x&cursor=${page.next_cursor!}`,
    );
    expect(moved.status).toBe(400);
  });

  it('takes SQL metacharacters in filters as values', async () => {
    expect((await get(`type=${encodeURIComponent("x' OR '1'='1")}`)).items).toEqual([]);
    expect((await get(`subject=${encodeURIComponent('名前😀')}`)).items).toEqual([]);
  });
});
