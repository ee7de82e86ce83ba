module github.com/openear/openear

go 1.26
