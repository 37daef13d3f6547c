import type { ArrayFieldItemTemplateProps, IconButtonProps, TemplatesType, WidgetProps } from '@rjsf/utils';
import { ariaDescribedByIds, descriptionId, getTemplate, getUiOptions } from '@rjsf/utils';

/**
 * rjsf's own buttons are icon-font glyphs we don't ship (empty boxes); these say what they do in text,
 * which is also their accessible name.
 */
function textButton(text: string, kind: string) {
  function TextButton({ className, registry: _registry, uiSchema: _uiSchema, iconType: _iconType, icon: _icon, ...button }: IconButtonProps) {
    return (
      <button type="button" {...button} className={`form-button ${kind} ${className ?? ''}`}>
        {text}
      </button>
    );
  }
  return TextButton;
}

export const buttonTemplates: Partial<TemplatesType['ButtonTemplates']> = {
  AddButton: textButton('Add item', 'add'),
  RemoveButton: textButton('Remove', 'danger'),
  MoveUpButton: textButton('Move up', 'move'),
  MoveDownButton: textButton('Move down', 'move'),
  CopyButton: textButton('Copy', 'copy-item'),
};

/** One array item as a group named by its position, so its buttons read "Remove" within "Item 2". */
export function ArrayFieldItemTemplate({ children, buttonsProps, hasToolbar, index, registry, uiSchema }: ArrayFieldItemTemplateProps) {
  const Buttons = getTemplate('ArrayFieldItemButtonsTemplate', registry, getUiOptions(uiSchema));
  return (
    <div className="array-item" role="group" aria-label={`Item ${index + 1}`}>
      <div className="array-item-body">{children}</div>
      {hasToolbar ? (
        <div className="array-item-buttons">
          <Buttons {...buttonsProps} />
        </div>
      ) : null}
    </div>
  );
}

/** A widget's help text (its options' or its schema's), under it: the id its control's `aria-describedby` names. */
function FieldDescription({ id, options, schema }: Pick<WidgetProps, 'id' | 'options' | 'schema'>) {
  const text = (options.description as string | undefined) ?? schema.description;
  return text ? (
    <p id={descriptionId(id)} className="field-description">
      {text}
    </p>
  ) : null;
}

/** A boolean on one line — the box, then its label — with its description underneath. */
export function CheckboxWidget({ id, htmlName, value, disabled, readonly, autofocus, label, hideLabel, schema, options, onChange, onBlur, onFocus }: WidgetProps) {
  return (
    <div className="checkbox">
      <input
        type="checkbox"
        id={id}
        name={htmlName ?? id}
        checked={value === true}
        disabled={disabled || readonly}
        autoFocus={autofocus}
        aria-describedby={ariaDescribedByIds(id)}
        onChange={(event) => onChange(event.target.checked)}
        onBlur={(event) => onBlur(id, event.target.checked)}
        onFocus={(event) => onFocus(id, event.target.checked)}
      />
      {hideLabel ? null : <label htmlFor={id}>{label}</label>}
      <FieldDescription id={id} options={options} schema={schema} />
    </div>
  );
}

/**
 * A read-only setting (`readOnly` in its schema: Linquid sets it from the provider at install) as its title and value
 * in text, not an input: the API refuses any other value, so nothing here suggests it can be edited.
 */
export function ReadOnlyWidget({ id, value, label, schema, options }: WidgetProps) {
  return (
    <div className="read-only">
      <span className="read-only-title">{label}</span>
      <span id={id}>{value === undefined || value === '' ? <span className="muted">not set</span> : String(value)}</span>
      <FieldDescription id={id} options={options} schema={schema} />
    </div>
  );
}
