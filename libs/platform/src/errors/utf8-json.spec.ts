import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { toProblem } from './problem';
import { requireUtf8JsonBodies } from './utf8-json';

/** A bare Fastify with the platform's error mapping, echoing what its JSON parser produced. */
async function app(register: (fastify: FastifyInstance) => void): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false });
  fastify.setErrorHandler((error, _request, reply) => {
    const { problem } = toProblem(error);
    void reply.status(problem.status).send(problem);
  });
  fastify.post('/echo', (request) => ({ body: request.body }));
  register(fastify);
  await fastify.ready();
  return fastify;
}

/** What Nest's adapter (and libs/fhir) register: the raw bytes, read leniently by Fastify's JSON parser. */
function bufferToDefaultJsonParser(fastify: FastifyInstance) {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void parseJson(request, body.toString('utf8'), done);
}

const NAME_WITH_INVALID_UTF8 = Buffer.concat([Buffer.from('{"fullName":"Nguy', 'utf8'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('n"}', 'utf8')]);

describe('JSON bodies must be UTF-8', () => {
  it('refuses invalid UTF-8 with a 422 instead of parsing replacement characters', async () => {
    // Nest's FastifyAdapter registers its JSON parser so: the bytes, to Fastify's JSON parser.
    const lenient = await app((fastify) => {
      fastify.removeContentTypeParser('application/json');
      fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, bufferToDefaultJsonParser(fastify));
    });
    const before = await lenient.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: NAME_WITH_INVALID_UTF8 });
    // What Fastify does on its own: the name silently changes.
    expect(before.json<{ body: { fullName: string } }>().body.fullName).toContain('\ufffd');

    const strict = await app((fastify) => requireUtf8JsonBodies(fastify));
    const after = await strict.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: NAME_WITH_INVALID_UTF8 });
    expect(after.statusCode).toBe(422);
    expect(after.json()).toMatchObject({ code: 'validation-error', errors: [{ pointer: '#', rule: 'encoding:utf-8' }] });
    await Promise.all([lenient.close(), strict.close()]);
  });

  it('parses valid bodies as before, BOM and Vietnamese included, and refuses what Fastify refused', async () => {
    const strict = await app((fastify) => requireUtf8JsonBodies(fastify));
    const post = (payload: string | Buffer, contentType = 'application/json; charset=utf-8') =>
      strict.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload });
    expect((await post('{"fullName":"Nguyễn Thị Hồng 😀"}')).json()).toEqual({ body: { fullName: 'Nguyễn Thị Hồng 😀' } });
    expect((await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]))).json()).toEqual({ body: { a: 1 } });
    expect((await post('{"a":')).statusCode).toBe(400);
    expect((await post('{"__proto__":{"x":1}}')).statusCode).toBe(400);
    await strict.close();
  });

  it('covers application/fhir+json when a module registered it, and leaves it unregistered otherwise', async () => {
    const withFhir = await app((fastify) => {
      fastify.addContentTypeParser('application/fhir+json', { parseAs: 'buffer' }, bufferToDefaultJsonParser(fastify));
      requireUtf8JsonBodies(fastify);
    });
    const fhir = await withFhir.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/fhir+json' }, payload: NAME_WITH_INVALID_UTF8 });
    expect(fhir.statusCode).toBe(422);

    const withoutFhir = await app((fastify) => requireUtf8JsonBodies(fastify));
    const unsupported = await withoutFhir.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/fhir+json' }, payload: '{}' });
    expect(unsupported.statusCode).toBe(415);
    await Promise.all([withFhir.close(), withoutFhir.close()]);
  });
});
