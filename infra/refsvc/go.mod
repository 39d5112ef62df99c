module benchrefsvc

go 1.25
