import { Pencil1Icon, PlusIcon } from '@radix-ui/react-icons';
import { Button, Dialog, Flex } from '@radix-ui/themes';
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../../api/errors';
import { ConfirmDialog } from '../ConfirmDialog';
import { DialogActions } from '../DialogActions';
import { Problem } from '../Problem';

/** A change to an account that refreshes the page's list (`listKey`) once it succeeded. */
export function useAccountMutation<V>(listKey: QueryKey, mutationFn: (values: V) => Promise<unknown>, onSaved?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: listKey });
      onSaved?.();
    },
  });
}

interface FormState<V> {
  pending: boolean;
  error: unknown;
  save: (values: V) => void;
}

interface AccountDialogProps<V> {
  listKey: QueryKey;
  save: (values: V) => Promise<unknown>;
  maxWidth: string;
  /** The form, mounted only while the dialog is open so it starts from its initial values each time. */
  children: (form: FormState<V>) => ReactNode;
}

function AccountDialog<V>({ trigger, title, listKey, save, maxWidth, children }: AccountDialogProps<V> & { trigger: ReactNode; title: ReactNode }) {
  const [open, setOpen] = useState(false);
  const mutation = useAccountMutation(listKey, save, () => setOpen(false));
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) mutation.reset();
      }}
    >
      <Dialog.Trigger>{trigger}</Dialog.Trigger>
      <Dialog.Content maxWidth={maxWidth} aria-describedby={undefined}>
        <Dialog.Title>{title}</Dialog.Title>
        {open && children({ pending: mutation.isPending, error: mutation.error, save: (values) => mutation.mutate(values) })}
      </Dialog.Content>
    </Dialog.Root>
  );
}

/** The primary "add" button and the dialog it opens. */
export function AddAccountDialog<V>({ label, title, ...props }: AccountDialogProps<V> & { label: string; title: string }) {
  return (
    <AccountDialog
      {...props}
      title={title}
      trigger={
        <Button size="3">
          <PlusIcon /> {label}
        </Button>
      }
    />
  );
}

/** A card's "Edit" button and the dialog it opens. */
export function EditAccountDialog<V>({ name, ...props }: AccountDialogProps<V> & { name: string }) {
  return (
    <AccountDialog
      {...props}
      title={<>Edit “{name}”</>}
      trigger={
        <Button variant="soft" color="gray" size="2" aria-label={`Edit ${name}`}>
          <Pencil1Icon /> Edit
        </Button>
      }
    />
  );
}

/** A card's red remove button ("Disconnect", "Delete") and the question it asks first. */
export function RemoveAccountDialog({
  name,
  verb,
  confirmLabel,
  description,
  listKey,
  remove,
}: {
  name: string;
  verb: string;
  confirmLabel: string;
  description: ReactNode;
  listKey: QueryKey;
  remove: () => Promise<unknown>;
}) {
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="soft" color="red" size="2" aria-label={`${verb} ${name}`}>
          {verb}
        </Button>
      }
      title={
        <>
          {verb} “{name}”?
        </>
      }
      description={description}
      confirmLabel={confirmLabel}
      onConfirm={remove}
      onConfirmed={() => queryClient.invalidateQueries({ queryKey: listKey })}
    />
  );
}

/**
 * An account form inside its dialog: checks the values first (`check` names the first problem),
 * shows that problem or the API's answer above the fields, and ends with Cancel and submit.
 */
export function AccountForm({
  check,
  onValid,
  error,
  pending,
  submitLabel,
  children,
}: {
  check: () => string | null;
  onValid: () => void;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  children: ReactNode;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  function submit(event: FormEvent) {
    event.preventDefault();
    const found = check();
    setProblem(found);
    if (!found) onValid();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Flex direction="column" gap="4">
        {problem ? <Problem>{problem}</Problem> : error ? <Problem>{errorMessage(error)}</Problem> : null}
        {children}
      </Flex>
      <DialogActions pending={pending} label={submitLabel} />
    </form>
  );
}
