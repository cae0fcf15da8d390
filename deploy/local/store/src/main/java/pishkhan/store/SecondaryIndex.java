package pishkhan.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A non-unique index on the first of its keys: value to positions, for equality, {@code $in} and
 * ranges.
 *
 * <p>It only narrows a query to candidates; the collection still matches the whole query against
 * each of them, so it may hand out too many (never too few). Documents whose value is an array are
 * candidates for every value (MongoDB matches an array by its elements); the remaining keys of a
 * compound index are left to that final match. A range ({@code $lt}, {@code $lte}, {@code $gt},
 * {@code $gte} on plain values) never matches a missing field or an empty array, so its candidates
 * are the documents that have the field: cheap when few do (an outbox of events still to publish).
 */
final class SecondaryIndex<P extends Comparable<P>> extends Index<P> {

    private static final Object ABSENT = new Object();
    private static final String IN = "$in";
    private static final String EQ = "$eq";
    private static final Set<String> RANGES = Set.of("$lt", "$lte", "$gt", "$gte");
    /** What {@link #wanted} answers for a range: every document that has the field. */
    private static final List<Object> PRESENT = java.util.Collections.unmodifiableList(new ArrayList<>());

    private final String field;
    private final Map<Object, Set<P>> byValue = new HashMap<>();
    private final Set<P> arrays = new LinkedHashSet<>();
    private Function<P, Document> documents = position -> null;
    private long count;

    SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.field = keys.get(0).getKey();
    }

    /** How to read the document at a position (to find a removed document's position). */
    void attach(Function<P, Document> documents) {
        this.documents = documents;
    }

    /** How many documents `pinned` could match through this index; Long.MAX_VALUE: it can't tell. */
    synchronized long candidateCount(Document pinned) {
        List<Object> values = wanted(pinned);
        if (values == null) {
            return Long.MAX_VALUE;
        }
        if (values == PRESENT) {
            return count - byValue.getOrDefault(ABSENT, Set.of()).size();
        }
        long total = arrays.size();
        for (Object value : values) {
            total += byValue.getOrDefault(value, Set.of()).size();
        }
        return total;
    }

    @Override
    public synchronized boolean canHandle(Document query) {
        return query.keySet().equals(Set.of(field)) && wanted(query) != null;
    }

    @Override
    public synchronized Iterable<P> getPositions(Document query) {
        List<Object> values = Objects.requireNonNull(wanted(query), "a query this index can't answer");
        TreeSet<P> positions = new TreeSet<>(arrays);
        if (values == PRESENT) {
            byValue.forEach((value, at) -> {
                if (value != ABSENT) {
                    positions.addAll(at);
                }
            });
            return new ArrayList<>(positions);
        }
        for (Object value : values) {
            positions.addAll(byValue.getOrDefault(value, Set.of()));
        }
        return new ArrayList<>(positions);
    }

    /**
     * The values a query on `field` asks for (equality or $in of plain values), PRESENT for a range of
     * plain values, else null.
     */
    private List<Object> wanted(Document query) {
        Object condition = query.get(field);
        if (condition instanceof Document operators) {
            if (!operators.isEmpty() && RANGES.containsAll(operators.keySet())
                    && plain(operators.values()) != null) {
                return PRESENT;
            }
            if (operators.size() != 1) {
                return null;
            }
            if (operators.containsKey(EQ)) {
                return plain(List.of(operators.get(EQ)));
            }
            return operators.get(IN) instanceof Collection<?> values ? plain(values) : null;
        }
        return condition instanceof Collection ? null : plain(List.of(condition == null ? ABSENT : condition));
    }

    private static List<Object> plain(Collection<?> values) {
        List<Object> keys = new ArrayList<>();
        for (Object value : values) {
            if (value == null || value == ABSENT || value instanceof Document || value instanceof Collection
                    || BsonRegularExpression.isRegularExpression(value)) {
                return null; // null also matches a missing field; documents, arrays and patterns: match all
            }
            keys.add(keyOf(value));
        }
        return keys;
    }

    private static Object keyOf(Object value) {
        return value instanceof Number number ? Double.valueOf(number.doubleValue()) : value;
    }

    private Object valueIn(Document document) {
        Object value = Utils.getSubdocumentValueCollectionAware(document, field);
        boolean empty = value instanceof Collection<?> values && values.stream().allMatch(Missing.class::isInstance);
        return value == null || value instanceof Missing || empty ? ABSENT : value;
    }

    @Override
    public P getPosition(Document document) {
        return null; // not unique: the collection finds a document's position through its _id index
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public synchronized void add(Document document, P position, MongoCollection<P> collection) {
        put(valueIn(document), position);
        count++;
    }

    private void put(Object value, P position) {
        if (value instanceof Collection) {
            arrays.add(position);
        } else {
            byValue.computeIfAbsent(keyOf(value), v -> new LinkedHashSet<>()).add(position);
        }
    }

    private void take(Object value, P position) {
        if (value instanceof Collection) {
            arrays.remove(position);
            return;
        }
        Object key = keyOf(value);
        Set<P> positions = byValue.get(key);
        if (positions != null) {
            positions.remove(position);
            if (positions.isEmpty()) {
                byValue.remove(key);
            }
        }
    }

    @Override
    public synchronized P remove(Document document) {
        Object value = valueIn(document);
        Set<P> positions = value instanceof Collection ? arrays : byValue.getOrDefault(keyOf(value), Set.of());
        for (P position : positions) {
            if (documents.apply(position) == document || sameId(documents.apply(position), document)) {
                take(value, position);
                count--;
                return position;
            }
        }
        return null;
    }

    private static boolean sameId(Document stored, Document document) {
        return stored != null && Objects.equals(stored.get("_id"), document.get("_id"));
    }

    @Override
    public boolean isSparse() {
        return true; // the collection asks: a position it can't find here is not an error
    }

    @Override
    public synchronized long getCount() {
        return count;
    }

    @Override
    public long getDataSize() {
        return 0;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public synchronized void updateInPlace(
            Document oldDocument, Document newDocument, P position, MongoCollection<P> collection) {
        Object before = valueIn(oldDocument);
        Object after = valueIn(newDocument);
        if (!Objects.equals(before, after)) {
            take(before, position);
            put(after, position);
        }
    }

    @Override
    public synchronized void drop() {
        byValue.clear();
        arrays.clear();
        count = 0;
    }
}
