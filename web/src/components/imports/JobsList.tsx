import { ImageIcon } from '@radix-ui/react-icons';
import { Box, Card, DataList, Flex, Link, Table, Text } from '@radix-ui/themes';
import { Link as RouterLink } from 'react-router';
import { productOf, type ImportJob } from '../../api/imports';
import { formatDate, formatDateTime, formatTime } from '../../lib/format';
import { jobDuration } from '../../lib/imports';
import { JobActions } from './JobActions';
import { JobStatus, SourceBadge } from './JobStatus';
import './imports.css';

export interface JobListProps {
  jobs: ImportJob[];
  storeNameOf: (job: ImportJob) => string;
  /** Where the details of a job open (the page keeps them in the address). */
  detailsHref: (job: ImportJob) => string;
}

/** The link without its scheme, for a second line that fits. */
function shortUrl(url: string | null): string {
  if (!url) return '';
  return url.replace(/^https?:\/\/(www\.)?/i, '');
}

function Thumbnail({ job }: { job: ImportJob }) {
  const src = productOf(job)?.images?.[0];
  return src ? (
    <img src={src} alt="" className="job-thumb" loading="lazy" />
  ) : (
    <Flex className="job-thumb job-thumb-empty" align="center" justify="center" aria-hidden="true">
      <ImageIcon />
    </Flex>
  );
}

function ProductCell({ job, detailsHref }: { job: ImportJob; detailsHref: JobListProps['detailsHref'] }) {
  const title = productOf(job)?.title;
  return (
    <Flex gap="3" align="center" minWidth="0">
      <Thumbnail job={job} />
      <Box minWidth="0">
        <Link asChild weight="medium" size="2" className="ellipsis" highContrast>
          <RouterLink to={detailsHref(job)} title={title ?? job.product_url ?? undefined}>
            {title || shortUrl(job.product_url) || 'Import'}
          </RouterLink>
        </Link>
        {title && job.product_url && (
          <Text as="div" size="1" color="gray" className="ellipsis" title={job.product_url}>
            {shortUrl(job.product_url)}
          </Text>
        )}
      </Box>
    </Flex>
  );
}

export function JobsTable({ jobs, storeNameOf, detailsHref }: JobListProps) {
  return (
    <Card size="1" style={{ padding: 0 }}>
      <Table.Root variant="ghost" size="2" className="jobs-table">
        <caption className="visually-hidden">Imports</caption>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Product</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Source</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Store</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Created</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Duration</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>
              <span className="visually-hidden">Actions</span>
            </Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {jobs.map((job) => (
            <Table.Row key={job.id} align="center" data-job-id={job.id} data-status={job.status}>
              <Table.RowHeaderCell className="job-product-cell">
                <ProductCell job={job} detailsHref={detailsHref} />
              </Table.RowHeaderCell>
              <Table.Cell>
                <SourceBadge source={job.source} />
              </Table.Cell>
              <Table.Cell className="job-store-cell">
                <Text size="2" color={job.store_id ? undefined : 'gray'} className="break-words">
                  {storeNameOf(job)}
                </Text>
              </Table.Cell>
              <Table.Cell>
                <JobStatus job={job} />
              </Table.Cell>
              <Table.Cell>
                <Text as="div" size="2" color="gray" className="nowrap" title={formatDateTime(job.created_at)}>
                  {formatDate(job.created_at)}
                </Text>
                <Text as="div" size="1" color="gray" className="nowrap">
                  {formatTime(job.created_at)}
                </Text>
              </Table.Cell>
              <Table.Cell className="nowrap">
                <Text size="2" color="gray" className="tabular">
                  {jobDuration(job)}
                </Text>
              </Table.Cell>
              <Table.Cell justify="end">
                <JobActions job={job} />
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Card>
  );
}

/** Phones get one card per job instead of a seven-column table. */
export function JobCards({ jobs, storeNameOf, detailsHref }: JobListProps) {
  return (
    <Flex asChild direction="column" gap="3">
      <ul aria-label="Imports">
        {jobs.map((job) => (
          <li key={job.id} data-job-id={job.id} data-status={job.status}>
            <Card size="2">
              <Flex direction="column" gap="3">
                <ProductCell job={job} detailsHref={detailsHref} />
                <Flex justify="between" align="start" gap="3">
                  <JobStatus job={job} />
                  <SourceBadge source={job.source} />
                </Flex>
                <DataList.Root size="1">
                  <DataList.Item>
                    <DataList.Label minWidth="80px">Store</DataList.Label>
                    <DataList.Value>{storeNameOf(job)}</DataList.Value>
                  </DataList.Item>
                  <DataList.Item>
                    <DataList.Label minWidth="80px">Created</DataList.Label>
                    <DataList.Value>{formatDateTime(job.created_at)}</DataList.Value>
                  </DataList.Item>
                  <DataList.Item>
                    <DataList.Label minWidth="80px">Duration</DataList.Label>
                    <DataList.Value>{jobDuration(job)}</DataList.Value>
                  </DataList.Item>
                </DataList.Root>
                <Flex justify="end">
                  <JobActions job={job} size="2" />
                </Flex>
              </Flex>
            </Card>
          </li>
        ))}
      </ul>
    </Flex>
  );
}
