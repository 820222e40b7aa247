set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 5.322636 2.291886 8.353386
0.94 10.6621778 10.6214969 10.7028587
1.94 20.009252 19.7029227 20.3155813
EOD
$d1 << EOD
0 0.3493776 0.322327045 0.376428155
1 0.3668292 0.352302967 0.381355433
2 0.3576336 0.345107457 0.370159743
EOD
$d2 << EOD
0.06 0.3557042 0.348643577 0.362764823
1.06 0.3579388 0.346510303 0.369367297
2.06 0.276766 0.267641093 0.285890907
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
