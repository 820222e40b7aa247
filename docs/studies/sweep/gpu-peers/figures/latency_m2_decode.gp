set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-18m: decode, tpot_ms'
$d0 << EOD
-0.06 0.109802303 0.108540293 0.111064314
0.94 0.11481649 0.114308959 0.115324022
1.94 0.228492284 0.227937673 0.229046894
EOD
$d1 << EOD
0 1.69355046 1.65203085 1.73507006
1 1.61882056 1.54246095 1.69518017
2 2.14286985 2.04780203 2.23793767
EOD
$d2 << EOD
0.06 3.9032349 2.43545446 5.37101533
1.06 5.29732103 3.61612758 6.97851448
2.06 3.43089201 3.39339052 3.46839349
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
