console.log("prepare: placeholder")
