set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.86380747 0.829955008 0.897659932
0.94 1.15896193 1.14630191 1.17162195
1.94 1.10803978 1.10161165 1.11446792
EOD
$d1 << EOD
0 6.66818606 6.65088898 6.68548314
1 8.85173519 8.79758684 8.90588354
2 9.0828168 9.0512183 9.11441529
EOD
$d2 << EOD
0.06 6.66550982 6.64450363 6.68651602
1.06 8.7574346 8.67677058 8.83809862
2.06 8.83528484 8.7933936 8.87717608
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
