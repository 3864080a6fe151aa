mode: count
example.com/app/store/store.go:10.30,12.16 2 5
example.com/app/store/store.go:12.16,14.3 1 0
example.com/app/store/store.go:15.2,15.12 1 5
example.com/app/store/store.go:20.20,22.2 1 0
example.com/app/api/api.go:5.14,7.2 2 1
example.com/app/store/store.go:10.30,12.16 2 3
example.com/app/store/store.go:12.16,14.3 1 0
