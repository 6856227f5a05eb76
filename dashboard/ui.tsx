// Pieces every page uses: links that navigate without a reload, times with their date,
// statuses, JSON blocks, and buttons that ask before they destroy.
import type { ComponentChildren } from 'preact';
import { navigate } from './hooks.js';

export function Link({ to, children, class: className }: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={to}
      class={className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Date and time, in the browser's zone, to the second (or, `precise`, the millisecond). */
export function When({ at, precise }: { at: string | null | undefined; precise?: boolean }) {
  if (!at) return <span class="muted">—</span>;
  const date = new Date(at);
  const text = precise
    ? `${date.toLocaleDateString(undefined, { dateStyle: 'medium' })}, ${date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 })}`
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return <time dateTime={at} title={date.toISOString()}>{text}</time>;
}

export function Status({ status }: { status: string }) {
  return <span class={`status ${status}`}>{status}</span>;
}

export function Json({ value, id }: { value: unknown; id?: string }) {
  return <pre id={id}>{value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>;
}

/** A button that runs `action` once the person confirms (destructive ones say what they will do). */
export function Confirm({ id, label, question, action, disabled }: { id?: string; label: string; question: string; action: () => void; disabled?: boolean }) {
  return (
    <button id={id} disabled={disabled} onClick={() => confirm(question) && action()}>
      {label}
    </button>
  );
}

export function Section({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={wide ? 'wide' : undefined}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Tables scroll sideways inside their box on narrow screens instead of overflowing the page. */
export function Table({ id, head, children }: { id?: string; head: string[]; children: ComponentChildren }) {
  return (
    <div class="scroll">
      <table id={id}>
        <thead>
          <tr>{head.map((cell) => <th key={cell}>{cell}</th>)}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
