-- The audit's numbers (seq) in blocks of 1000: H2 writes an identity's state to the database at the
-- end of each block of numbers it hands out, 32 by default, which made a poll's audit rows cost
-- more than its job rows. The numbers stay in order; a crash skips at most the rest of a block.
ALTER TABLE sparkgrid_audit ALTER COLUMN seq SET CACHE 1000;
