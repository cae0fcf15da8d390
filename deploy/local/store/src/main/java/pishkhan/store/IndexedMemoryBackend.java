package pishkhan.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory backend, with its indexes used the way MongoDB uses them.
 *
 * <p>Stock mongo-java-server uses an index only when a query names exactly the index's keys, so
 * {@code {_id: X, status: "open"}} (every conditional update) reads the whole collection, and it
 * builds no non-unique index at all. Here a query uses any index whose keys it pins to values (the
 * unique ones first, then the secondary index with the fewest candidates), and the whole query is
 * still matched against each candidate, so answers are the same as before, only found sooner.
 */
public final class IndexedMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    static final class Database extends MemoryDatabase {
        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new Collection(this, collectionName, options, cursorRegistry);
        }

        @Override
        protected Index<Integer> openOrCreateSecondaryIndex(
                String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            return new SecondaryIndex<>(indexName, keys, sparse);
        }
    }

    static final class Collection extends MemoryCollection {
        Collection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
            super(database, name, options, cursors);
        }

        @Override
        public void addIndex(Index<Integer> index) {
            if (index instanceof SecondaryIndex<Integer> secondary) {
                secondary.attach(this::getDocument);
            }
            super.addIndex(index);
        }

        @Override
        protected QueryResult queryDocuments(
                Document query, Document orderBy, int skip, int limit, int batchSize, Document fields) {
            Iterable<Integer> candidates = orderBy != null && orderBy.containsKey("$natural") ? null : candidates(query);
            if (candidates == null) {
                return super.queryDocuments(query, orderBy, skip, limit, batchSize, fields);
            }
            return matchDocuments(query, candidates, orderBy, skip, limit, batchSize, fields);
        }

        /** Positions that may match, from the most selective usable index; null: read them all. */
        private Iterable<Integer> candidates(Document query) {
            SecondaryIndex<Integer> narrowest = null;
            Document narrowestQuery = null;
            long fewest = Long.MAX_VALUE;
            for (Index<Integer> index : getIndexes()) {
                if (index instanceof SecondaryIndex<Integer> secondary) {
                    Document pinned = pinned(query, index.getKeys().subList(0, 1));
                    long count = pinned == null ? Long.MAX_VALUE : secondary.candidateCount(pinned);
                    if (count < fewest) {
                        narrowest = secondary;
                        narrowestQuery = pinned;
                        fewest = count;
                    }
                } else {
                    Document pinned = pinned(query, index.getKeys());
                    if (pinned != null && index.canHandle(pinned)) {
                        return sorted(index.getPositions(pinned));
                    }
                }
            }
            return narrowest == null ? null : narrowest.getPositions(narrowestQuery);
        }

        /** The query's conditions on `keys` alone, or null when it does not name them all. */
        private static Document pinned(Document query, List<IndexKey> keys) {
            Document pinned = new Document();
            for (IndexKey key : keys) {
                if (!query.containsKey(key.getKey())) {
                    return null;
                }
                pinned.put(key.getKey(), query.get(key.getKey()));
            }
            return pinned;
        }

        private static List<Integer> sorted(Iterable<Integer> positions) {
            List<Integer> list = new ArrayList<>();
            positions.forEach(list::add);
            list.sort(null);
            return list;
        }
    }
}
