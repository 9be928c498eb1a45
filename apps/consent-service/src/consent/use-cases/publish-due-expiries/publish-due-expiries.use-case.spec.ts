import { type DueExpiry } from '../../ports/expiry-queue.port';
import { changedPatients } from '../../testing/consent-fakes';
import { committedEventIds, expiryKit } from '../../testing/emergency-fakes';

const [P1, P2] = ['0190a1b2-0000-7000-8000-000000000001', '0190a1b2-0000-7000-8000-000000000002'];
const consentId = (n: number) => `0190a1b2-0000-7000-a000-${String(n).padStart(12, '0')}`;

function ending(n: number, endsAt: string, patch: Partial<DueExpiry> = {}): DueExpiry {
  return {
    consentId: consentId(n),
    version: 1,
    enterprisePatientId: P1,
    endsAt: new Date(endsAt),
    scope: {
      purposes: ['treatment', 'referral'],
      categories: ['lab', 'imaging'],
      grantees: [{ kind: 'facilities', facilityCodes: ['79001'] }, { kind: 'care-relationship' }],
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date(endsAt),
    },
    ...patch,
  };
}

function kit() {
  const k = expiryKit();
  k.queue.now = new Date('2026-03-01T03:00:00Z');
  return k;
}

describe('PublishDueExpiriesUseCase', () => {
  it('announces a grant whose period ended, with the scope that ended, keyed by the patient', async () => {
    const k = kit();
    k.queue.add(ending(1, '2026-03-01T02:59:59Z'));

    expect(await k.publish.execute()).toBe(1);
    expect(k.uow.events()).toEqual([
      {
        topic: 'consent.v1',
        key: P1,
        type: 'vn.lienthong.consent.consent.expired',
        data: {
          consentId: consentId(1),
          version: 1,
          enterprisePatientId: P1,
          expiredAt: '2026-03-01T02:59:59.000Z',
          scope: {
            purposes: ['treatment', 'referral'],
            categories: ['lab', 'imaging'],
            grantees: [{ kind: 'facilities', facilityCodes: ['79001'] }, { kind: 'care-relationship' }],
            validFrom: '2026-01-01T00:00:00.000Z',
            validUntil: '2026-03-01T02:59:59.000Z',
          },
        },
      },
    ]);
    expect(k.queue.rows[0]?.publishedAt).not.toBeNull();
  });

  it('announces each end once: the next poll finds nothing', async () => {
    const k = kit();
    k.queue.add(ending(1, '2026-03-01T02:00:00Z'));
    await k.publish.execute();

    expect(await k.publish.execute()).toBe(0);
    expect(k.uow.events()).toHaveLength(1);
  });

  it('leaves alone periods still running and grants a later version or a withdrawal superseded', async () => {
    const k = kit();
    k.queue.add(ending(1, '2026-03-01T03:00:01Z'));
    k.queue.add(ending(2, '2026-03-01T01:00:00Z'), true);

    expect(await k.publish.execute()).toBe(0);
    expect(k.uow.events()).toEqual([]);

    k.queue.now = new Date('2026-03-01T03:00:01Z');
    expect(await k.publish.execute()).toBe(1);
    expect(k.uow.events().map((e) => e.data['consentId'])).toEqual([consentId(1)]);
  });

  it('skips ends another replica is announcing, and never announces them twice', async () => {
    const k = kit();
    k.queue.add(ending(1, '2026-03-01T01:00:00Z'));
    k.queue.add(ending(2, '2026-03-01T02:00:00Z'));
    k.queue.held.add(`${consentId(1)}/1`);

    expect(await k.publish.execute()).toBe(1);
    expect(k.uow.events().map((e) => e.data['consentId'])).toEqual([consentId(2)]);

    // The other replica committed it.
    k.queue.held.clear();
    const other = k.queue.rows.find((r) => r.consentId === consentId(1));
    if (other) other.publishedAt = new Date();
    expect(await k.publish.execute()).toBe(0);
  });

  it('works through a backlog (a restart that spanned many ends) oldest first, a batch at a time', async () => {
    const k = kit();
    for (const n of [3, 1, 2]) k.queue.add(ending(n, `2026-03-01T0${n}:00:00Z`, { version: n }));
    k.queue.now = new Date('2026-03-01T04:00:00Z');

    expect(await k.publish.execute(2)).toBe(2);
    expect(await k.publish.execute(2)).toBe(1);
    expect(k.uow.events().map((e) => e.data['consentId'])).toEqual([consentId(1), consentId(2), consentId(3)]);
  });

  it('gives the event of one (consent, version) a stable id, so a consumer would fold any repeat', async () => {
    const first = kit();
    first.queue.add(ending(1, '2026-03-01T01:00:00Z'));
    await first.publish.execute();
    const second = kit();
    second.queue.add(ending(1, '2026-03-01T01:00:00Z'));
    second.queue.add(ending(1, '2026-03-01T02:00:00Z', { version: 2 }));
    await second.publish.execute();

    const ids = committedEventIds(second.uow);
    expect(ids[0]).toBe(committedEventIds(first.uow)[0]);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('audits each end as consent-service’s own change and tells every replica about the patients', async () => {
    const k = kit();
    k.queue.add(ending(1, '2026-03-01T01:00:00Z'));
    k.queue.add(ending(2, '2026-03-01T02:00:00Z', { enterprisePatientId: P2 }));
    await k.publish.execute();

    expect(k.audit.rows).toEqual([
      expect.objectContaining({ action: 'consent.expire', patientId: P1, outcome: 'ok', detail: { consentId: consentId(1), version: 1, endedAt: '2026-03-01T01:00:00.000Z' } }),
      expect.objectContaining({ action: 'consent.expire', patientId: P2, outcome: 'ok' }),
    ]);
    expect(k.audit.rows[0]?.actor).toMatchObject({ kind: 'service', service: 'consent-service' });
    expect(changedPatients(k.uow)).toEqual([P1, P2]);
  });
});
