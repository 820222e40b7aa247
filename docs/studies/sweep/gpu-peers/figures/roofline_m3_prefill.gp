set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 12.1950343 11.3265587 13.0635099
0.94 14.9573228 14.6909427 15.223703
1.94 14.423597 14.0435131 14.803681
EOD
$d1 << EOD
0 67.0900778 54.2686069 79.9115486
1 60.002849 58.4423789 61.5633192
2 97.0526362 94.7639814 99.3412909
EOD
$d2 << EOD
0.06 134.914445 131.50966 138.31923
1.06 150.335482 142.93384 157.737124
2.06 152.037749 145.503906 158.571591
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
