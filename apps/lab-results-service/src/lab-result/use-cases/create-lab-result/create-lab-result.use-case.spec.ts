import { type Actor } from '@lienthong/platform';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';
import { InMemoryLabResultStore, InMemoryUnitOfWork } from '../in-memory-lab-result.fakes';
import { CreateLabResultUseCase } from './create-lab-result.use-case';

const hospital: Actor = { kind: 'facility', facilityCode: '79001', subject: 'his-79001', scopes: [], purposeOfUse: 'treatment' };
const labService: Actor = {
  kind: 'service',
  service: 'lab-results-service',
  actingForFacility: '01002',
  subject: 'lab-results-service',
  scopes: [],
  purposeOfUse: 'treatment',
};
const analyst: Actor = { kind: 'person', role: 'ministry-analyst', subject: 'analyst-7', scopes: [], purposeOfUse: 'public-health' };

describe('CreateLabResultUseCase', () => {
  let store: InMemoryLabResultStore;
  let uow: InMemoryUnitOfWork;
  let useCase: CreateLabResultUseCase;

  beforeEach(() => {
    store = new InMemoryLabResultStore();
    uow = new InMemoryUnitOfWork();
    useCase = new CreateLabResultUseCase(uow, store);
  });

  it('records it for the facility the caller is, by the caller, in one committed unit of work', async () => {
    const created = await useCase.execute({ actor: hospital, note: '  chuyển tuyến  ' });

    expect(created).toMatchObject({ facilityCode: '79001', note: 'chuyển tuyến', createdBy: 'his-79001' });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...store.records.values()]).toEqual([created]);
    expect(uow.commits).toBe(1);
  });

  it('records it for the facility a service acts for, not for the service', async () => {
    const created = await useCase.execute({ actor: labService, note: 'from the lab file' });

    expect(created).toMatchObject({ facilityCode: '01002', createdBy: 'lab-results-service' });
  });

  it('refuses a caller that speaks for no facility and stores nothing', async () => {
    const refused = useCase.execute({ actor: analyst, note: 'any' });

    await expect(refused).rejects.toBeInstanceOf(LabResultError);
    await expect(refused).rejects.toMatchObject({ code: LabResultErrorCode.FacilityRequired });
    expect(store.records.size).toBe(0);
    expect(uow.commits).toBe(0);
  });

  it('refuses a blank note, pointing at the field, and stores nothing', async () => {
    await expect(useCase.execute({ actor: hospital, note: ' \t ' })).rejects.toMatchObject({
      code: LabResultErrorCode.Validation,
      violations: [{ pointer: '#/note', rule: 'not_blank' }],
    });
    expect(store.records.size).toBe(0);
  });
});
