-- The audit's numbers in blocks: an H2 change only (see h2/V4__audit_numbers_in_blocks.sql). Here
-- each number costs nothing extra, and blocks would be per connection: two service instances would
-- interleave their audit numbers out of order. The version is kept on all three databases alike.
SELECT 1;
