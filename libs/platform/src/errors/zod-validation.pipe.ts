import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isZodDto } from 'nestjs-zod/dto';
import { type z } from 'zod';
import { ValidationError, type ValidationIssue } from './domain-error';

type Location = ArgumentMetadata['type'];

/** Zod issues → the `errors` list: JSON pointers for the body, names for query/path parameters. */
export function zodIssuesToValidationIssues(issues: readonly z.core.$ZodIssue[], location: Location = 'body'): ValidationIssue[] {
  return issues.map((issue) => {
    const rule = issue.code === 'invalid_format' ? `format:${issue.format}` : issue.code;
    const path = issue.path.map(String);
    if (location === 'body') return { pointer: toJsonPointer(path), rule, message: issue.message };
    return { field: path.join('.') || location, rule, message: issue.message };
  });
}

/** RFC 6901 pointer as a URI fragment, the form RFC 9457's examples use (`#/items/0/value`). */
export function toJsonPointer(path: readonly string[]): string {
  return `#${path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

/**
 * Validates `@Body()`, `@Query()` and `@Param()` typed with a nestjs-zod DTO (`createZodDto`), or with
 * an explicit schema: `@Body(new ZodValidationPipe(schema))`. Values without a schema pass untouched.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  constructor(private readonly schema?: z.ZodType) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = this.schema ?? schemaOf(metadata.metatype);
    if (!schema || metadata.type === 'custom') return value;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw new ValidationError(zodIssuesToValidationIssues(result.error.issues, metadata.type));
  }
}

function schemaOf(metatype: unknown): z.ZodType | undefined {
  if (!isZodDto(metatype)) return undefined;
  return (metatype as unknown as { schema: z.ZodType }).schema;
}
