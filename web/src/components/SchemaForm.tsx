import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import type { FieldIssue, JsonSchema } from '../api/types';

/**
 * The server's `issues[]` (paths like `settings.routes.0.url`) as rjsf's per-field errors, so each
 * message shows at the field it names. Issues under other prefixes are left to the caller's banner.
 */
export function issuesAtFields(issues: FieldIssue[], prefix: string): ErrorSchema {
  const schema: Record<string, unknown> = {};
  for (const issue of issues) {
    const parts = issue.path.split('.');
    if (parts[0] !== prefix || parts.length < 2) continue;
    let node = schema;
    for (const part of parts.slice(1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node.__errors = [...((node.__errors as string[] | undefined) ?? []), issue.message];
  }
  return schema as ErrorSchema;
}

/** Settings or secrets, rendered from the JSON Schema the API serves (never a hand-written form per provider). */
export function SchemaForm(props: {
  id: string;
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  serverErrors?: ErrorSchema;
  secret?: boolean;
}) {
  const schema = { ...props.schema } as RJSFSchema;
  delete schema.$schema;
  const uiSchema: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  if (props.secret) {
    for (const name of Object.keys((schema.properties ?? {}) as object)) uiSchema[name] = { 'ui:widget': 'password', 'ui:autocomplete': 'off' };
  }
  return (
    <Form
      idPrefix={props.id}
      schema={schema}
      uiSchema={uiSchema}
      formData={props.value}
      validator={validator}
      extraErrors={props.serverErrors}
      showErrorList={false}
      noHtml5Validate
      noValidate
      tagName="div"
      onChange={(event) => props.onChange((event.formData ?? {}) as Record<string, unknown>)}
    />
  );
}
