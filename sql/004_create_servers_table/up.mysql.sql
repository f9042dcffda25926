-- 004: virtual servers, each a bundle of tools offered to clients.
CREATE TABLE servers (
    id          BIGINT       AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(255) NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 255),
    description TEXT,
    icon        TEXT         CHECK (icon IS NULL OR char_length(icon) <= 767),
    is_active   BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
