set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'pydoc-gpt2-8m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.3 12.031258 11.9552985 12.1072176
0.7 0.555718316 0.427248922 0.68418771
EOD
$d1 << EOD
-0.24 245.84129 147.293021 344.389558
0.76 156.172806 115.638109 196.707503
EOD
$d2 << EOD
-0.18 55.8268805 52.4747919 59.178969
0.82 117.529313 111.433896 123.62473
EOD
$d3 << EOD
-0.12 109.635648 109.289278 109.982019
0.88 4.8068052 4.69526069 4.91834971
EOD
$d4 << EOD
-0.06 122.91278 111.909417 133.916143
0.94 205.322637 202.863027 207.782248
EOD
$d5 << EOD
0 134.979718 128.322947 141.636489
1 175.995338 167.015559 184.975116
EOD
$d6 << EOD
0.06 1.53410232 1.45863042 1.60957421
1.06 0.285563495 0.25798521 0.31314178
EOD
$d7 << EOD
0.12 255.879916 248.337524 263.422309
1.12 305.777249 301.490503 310.063995
EOD
$d8 << EOD
0.18 168.093877 152.695616 183.492139
1.18 19.7607487 19.527485 19.9940125
EOD
$d9 << EOD
0.24 1704.97176 513.192058 2896.75146
1.24 690.507976 647.16037 733.855582
EOD
$d10 << EOD
0.3 323.595527 281.103609 366.087445
1.3 51.952358 51.4640948 52.4406212
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2:3:4 with yerrorlines title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2:3:4 with yerrorlines title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2:3:4 with yerrorlines title 'transformers-eager fp32 on cuda:0'
