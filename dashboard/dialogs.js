/**
 * The confirmation dialog every action goes through: it says what will happen (updated as the
 * fields change), asks for the fields and a required reason, and on a 4xx shows the API's message
 * beside the field the API named. Built fresh for each action in the page's one <dialog>.
 */
import { h, pageElement, replaceChildren } from './dom.js';
import { parseMoneyInput } from './format.js';

const REASON_MAX = 500;

let sequence = 0;

/** The API names body fields; some map onto one input of the dialog. */
const FIELD_ALIASES = { until: 'duration', forSeconds: 'duration' };

function fieldInput(field, id) {
  const common = { id, name: field.name, 'data-testid': `field-${field.name}` };
  if (field.kind === 'select') {
    return h(
      'select',
      common,
      field.options.map((option) =>
        h('option', { value: option.value, selected: option.value === field.value }, option.label),
      ),
    );
  }
  if (field.kind === 'money') {
    return h('input', {
      ...common,
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      required: true,
      value: field.value ?? '',
      'aria-describedby': `${id}-hint`,
    });
  }
  return h('input', { ...common, type: 'text', value: field.value ?? '', required: field.required ?? false });
}

/**
 * @typedef {object} DialogField
 * @property {string} name
 * @property {string} label
 * @property {string} [kind] 'money', 'select', or a text input
 * @property {string} [value]
 * @property {string} [hint]
 * @property {boolean} [required]
 * @property {string} [currencyCode]
 * @property {{ value: string, label: string }[]} [options]
 */

/**
 * Opens the dialog. `run(values)` performs the action (values: selects and texts as strings, money
 * as cents or null, `reason`); it resolves with the API's result, passed on to `onDone`.
 * @param {object} action
 * @param {string} action.title
 * @param {string} [action.intro]
 * @param {DialogField[]} [action.fields]
 * @param {(values: Record<string, any>) => (string | Node | null)[] | string | Node | null} action.summary
 * @param {string} action.confirmLabel
 * @param {'primary' | 'danger'} [action.tone]
 * @param {string} action.testid
 * @param {(values: Record<string, any>) => Promise<any>} action.run
 * @param {(result: any) => void} [action.onDone]
 */
export function confirmAction({
  title,
  intro,
  fields = [],
  summary,
  confirmLabel,
  tone = 'primary',
  testid,
  run,
  onDone,
}) {
  const dialog = /** @type {HTMLDialogElement} */ (pageElement('action-dialog'));
  const prefix = `dlg${++sequence}`;
  const inputs = new Map();
  const fieldErrors = new Map();

  const fieldRows = fields.map((field) => {
    const id = `${prefix}-${field.name}`;
    const input = fieldInput(field, id);
    inputs.set(field.name, input);
    const error = h('p', { class: 'field__error', id: `${id}-error`, hidden: true });
    fieldErrors.set(field.name, error);
    const control =
      field.kind === 'money'
        ? h('div', { class: 'money-input' }, h('span', { class: 'money-input__code' }, field.currencyCode), input)
        : input;
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, field.label),
      control,
      field.hint ? h('p', { class: 'field__hint', id: `${id}-hint` }, field.hint) : null,
      error,
    );
  });

  const reasonId = `${prefix}-reason`;
  const reason = h('textarea', {
    id: reasonId,
    name: 'reason',
    rows: 2,
    required: true,
    maxlength: REASON_MAX,
    placeholder: 'Why? Recorded in the price history with your name.',
    'data-testid': 'field-reason',
  });
  inputs.set('reason', reason);
  const reasonError = h('p', { class: 'field__error', id: `${reasonId}-error`, hidden: true });
  fieldErrors.set('reason', reasonError);

  const summaryBox = h('div', { class: 'dialog__summary', 'aria-live': 'polite', 'data-testid': 'dialog-summary' });
  const errorBox = h('div', { class: 'dialog__error', role: 'alert', hidden: true, 'data-testid': 'dialog-error' });
  const cancel = h(
    'button',
    { type: 'button', class: 'button button--ghost', 'data-testid': 'dialog-cancel' },
    'Cancel',
  );
  const confirm = h(
    'button',
    { type: 'submit', class: `button button--${tone}`, 'data-testid': 'dialog-confirm' },
    confirmLabel,
  );

  const values = () => {
    const result = {};
    for (const field of fields) {
      const raw = inputs.get(field.name).value;
      result[field.name] = field.kind === 'money' ? parseMoneyInput(raw, field.currencyCode) : raw;
    }
    result.reason = reason.value.trim();
    return result;
  };

  const renderSummary = () => {
    const lines = [summary(values())].flat().filter(Boolean);
    replaceChildren(
      summaryBox,
      h('h3', { class: 'dialog__summary-title' }, 'What will happen'),
      h(
        'ul',
        {},
        lines.map((line) => h('li', {}, line)),
      ),
    );
  };

  const clearErrors = () => {
    errorBox.hidden = true;
    for (const [name, error] of fieldErrors) {
      error.hidden = true;
      inputs.get(name).removeAttribute('aria-invalid');
      inputs.get(name).removeAttribute('aria-errormessage');
    }
  };

  const showError = (message, fieldName) => {
    const name = FIELD_ALIASES[fieldName] ?? fieldName;
    const error = name ? fieldErrors.get(name) : undefined;
    replaceChildren(errorBox, message);
    errorBox.hidden = false;
    if (error) {
      const input = inputs.get(name);
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-errormessage', error.id);
      input.focus();
    }
  };

  const form = h(
    'form',
    { class: 'dialog__form', method: 'dialog', novalidate: true, 'data-testid': testid },
    h(
      'header',
      { class: 'dialog__header' },
      h('h2', { id: `${prefix}-title` }, title),
      intro ? h('p', { class: 'dialog__intro' }, intro) : null,
    ),
    summaryBox,
    fieldRows,
    h('div', { class: 'field' }, h('label', { for: reasonId }, 'Reason (required)'), reason, reasonError),
    errorBox,
    h('footer', { class: 'dialog__footer' }, cancel, confirm),
  );

  form.addEventListener('input', () => {
    renderSummary();
  });
  cancel.addEventListener('click', () => dialog.close('cancel'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const current = values();
    for (const field of fields) {
      if (field.kind === 'money' && current[field.name] === null) {
        showError(`${field.label}: enter an amount such as 19.99`, field.name);
        return;
      }
    }
    if (current.reason === '') {
      showError('A reason is required: it is recorded in the price history.', 'reason');
      return;
    }
    confirm.disabled = true;
    cancel.disabled = true;
    dialog.setAttribute('aria-busy', 'true');
    try {
      const result = await run(current);
      dialog.close('done');
      onDone?.(result);
    } catch (caught) {
      const error = /** @type {{ message: string, status?: number, code?: string, field?: string | null }} */ (caught);
      const status = error.status ? ` (${error.status}${error.code ? ` ${error.code}` : ''})` : '';
      showError(`${error.message}${status}`, error.field ?? undefined);
    } finally {
      confirm.disabled = false;
      cancel.disabled = false;
      dialog.removeAttribute('aria-busy');
    }
  });

  dialog.setAttribute('aria-labelledby', `${prefix}-title`);
  replaceChildren(dialog, form);
  renderSummary();
  dialog.showModal();
  (fields[0] === undefined ? reason : inputs.get(fields[0].name)).focus();
}
