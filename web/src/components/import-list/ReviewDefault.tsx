import { Flex, Switch, Text } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { importListApi, importListKeys, importListSettingsQuery } from '../../api/import-list';
import { meQuery } from '../../api/queries';

/** The account default: new imports land in the import list instead of the store. */
export function ReviewDefault() {
  const client = useQueryClient();
  const settings = useQuery(importListSettingsQuery);
  const save = useMutation({
    mutationFn: importListApi.setReviewDefault,
    onSuccess: (data) => {
      client.setQueryData(importListKeys.settings, data);
      void client.invalidateQueries({ queryKey: meQuery.queryKey });
    },
  });
  return (
    <Text as="label" size="2">
      <Flex gap="2" align="center">
        <Switch
          checked={settings.data?.review_by_default ?? false}
          disabled={settings.isPending || save.isPending}
          onCheckedChange={(c) => save.mutate(c)}
          aria-label="Send new imports to the import list"
        />
        New imports go to this list first
      </Flex>
    </Text>
  );
}

