/** What the duplicate finder reads of a customer profile; the database job maps profiles to this shape. */
export interface DuplicateCandidate {
  id: string;
  /** As entered: Chinese characters, pinyin ('Zhang Wei', 'Wei Zhang'), initials ('ZW') or '张先生'. */
  name: string | null;
  /** E.164, e.g. '+8613812345678'. */
  phones: string[];
  /** Lower-case. */
  emails: string[];
  /** e.g. '上海' (a trailing 市 is ignored). */
  city: string | null;
  /** Vehicle series of interest, e.g. 'ID.4'. */
  vehicleOfInterest: string | null;
}
