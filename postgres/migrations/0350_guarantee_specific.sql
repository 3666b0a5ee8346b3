-- A specific guarantee (逐票担保) secures one tax bill and nothing else:
-- what a trader whose credit grade requires full guarantee may use instead
-- of its general guarantee (docs/credit.md, "Measures"). '' = general.
ALTER TABLE guarantee_accounts ADD COLUMN bill text NOT NULL DEFAULT '';
