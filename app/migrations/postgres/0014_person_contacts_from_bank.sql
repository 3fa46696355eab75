-- Where a registered person's contacts (mobile and e-mail) come from. The advisor's break-glass
-- — naming the first administrator of an entity nobody administers — sends credentials to
-- these contacts, so they must be the bank's core systems' (the import), never typed by the
-- advisor who names: an advisor who registers a person, or corrects their mobile or e-mail,
-- clears the mark; the import sets it. Persons registered before this migration have it
-- cleared: the bank's next import confirms the contacts of those it sends.
ALTER TABLE persons ADD COLUMN contacts_from_bank BIGINT NOT NULL DEFAULT 0
    CONSTRAINT persons_contacts_from_bank_check CHECK (contacts_from_bank IN (0, 1));
