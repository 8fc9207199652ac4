package org.yizhan.hub.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC steps the stores share: binding parameters in order, running an update, and reading rows of a query
 * with a mapper. Parameters are bound with {@link PreparedStatement#setObject}, so a {@code String}, a
 * {@code Long} or an {@code Integer} goes in as its column expects and {@code null} as SQL NULL.
 */
public final class Rows {

    /** Reads one row of a result set (positioned on it); may throw. */
    @FunctionalInterface
    public interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private Rows() {
    }

    /** Binds the values to the statement's parameters in order; returns the statement. */
    public static PreparedStatement bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
        }
        return ps;
    }

    /** Runs an INSERT, UPDATE or DELETE with the values; returns how many rows it changed. */
    public static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            return bind(ps, values).executeUpdate();
        }
    }

    /** Every row of the query, mapped, in the query's order. */
    public static <T> List<T> list(Connection c, String sql, Mapper<T> mapper, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    /** The first row of the query, mapped, if there is one. */
    public static <T> Optional<T> one(Connection c, String sql, Mapper<T> mapper, Object... values)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        }
    }

    /** Whether the query has any row. */
    public static boolean any(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
